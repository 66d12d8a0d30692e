// Uploads an artifact straight to S3: hash it in the browser, ask the API for presigned
// permission (one POST, or one PUT per part of a multipart upload), show progress, then
// wait for the server-side verifier to mark it ready.
(function () {
  "use strict";
  // Forms that ask first (yank): a data attribute instead of an inline handler, which the CSP forbids.
  document.querySelectorAll("form[data-confirm]").forEach(function (confirmed) {
    confirmed.addEventListener("submit", function (event) {
      if (!window.confirm(confirmed.dataset.confirm)) event.preventDefault();
    });
  });
  const form = document.getElementById("artifact-upload");
  if (!form) return;
  const progress = document.getElementById("artifact-progress");
  const statusLine = document.getElementById("artifact-upload-status");

  function csrfToken() {
    const headers = document.body.getAttribute("hx-headers");
    return headers ? JSON.parse(headers)["X-CSRFToken"] : "";
  }

  async function api(url, body) {
    const response = await fetch(url, {
      method: body === undefined ? "GET" : "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = response.status === 204 ? {} : await response.json();
    if (!response.ok) {
      const error = data.error || {};
      const fields = Object.values(error.fields || {}).flat().join(" ");
      throw new Error(fields || error.message || `Request failed (${response.status})`);
    }
    return data;
  }

  function send(method, url, body, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.upload.onprogress = (event) => onProgress(event.loaded);
      xhr.onload = () => (xhr.status < 300 ? resolve(xhr) : reject(new Error(`S3 answered ${xhr.status}`)));
      xhr.onerror = () => reject(new Error("The upload was interrupted."));
      xhr.send(body);
    });
  }

  async function sha256Hex(file) {
    const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function say(text) {
    statusLine.textContent = text;
  }

  async function upload(event) {
    event.preventDefault();
    const file = form.elements.file.files[0];
    if (!file) return;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    form.querySelector(".upload-progress").hidden = false;
    try {
      say("Computing SHA-256…");
      const sha256 = await sha256Hex(file);
      const platform = form.elements.platform.value;
      const start = await api(form.dataset.uploadUrl, {
        platform,
        filename: file.name,
        size: file.size,
        sha256,
        minimum_os_version: form.elements.minimum_os_version.value || null,
      });
      const show = (sent) => {
        progress.value = Math.round((100 * sent) / file.size);
        say(`Uploading… ${progress.value}%`);
      };
      if (start.mode === "post") {
        const data = new FormData();
        Object.entries(start.fields).forEach(([name, value]) => data.append(name, value));
        data.append("file", file);
        await send("POST", start.url, data, show);
      } else {
        const done = new Array(start.parts.length).fill(0);
        const parts = [];
        for (const part of start.parts) {
          const from = (part.part_number - 1) * start.part_size;
          const slice = file.slice(from, Math.min(from + start.part_size, file.size));
          const xhr = await send("PUT", part.url, slice, (loaded) => {
            done[part.part_number - 1] = loaded;
            show(done.reduce((a, b) => a + b, 0));
          });
          parts.push({ part_number: part.part_number, etag: xhr.getResponseHeader("ETag") });
        }
        await api(`${form.dataset.uploadUrl}/${platform}/complete`, { upload_id: start.upload_id, parts });
      }
      progress.value = 100;
      say("Uploaded. Verifying and signing…");
      for (let attempt = 0; attempt < 120; attempt++) {
        const artifact = await api(`${form.dataset.uploadUrl}/${platform}`);
        if (artifact.status !== "pending") {
          say(artifact.status === "ready" ? "Ready." : `Rejected: ${artifact.rejection_reason}`);
          window.location.reload();
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      say("Still verifying; reload the page in a moment.");
    } catch (error) {
      say(error.message);
    } finally {
      button.disabled = false;
    }
  }

  form.addEventListener("submit", upload);
})();
