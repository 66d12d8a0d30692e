// Copy a new calendar feed link to the clipboard (the page works without it: the link is selectable).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  input.select();
  if (navigator.clipboard) {
    navigator.clipboard.writeText(input.value).then(() => { button.textContent = "Copied"; });
  }
});
