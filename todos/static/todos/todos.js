// Todos page: inline editing (double-click, Enter/blur saves, Esc cancels), Enter-to-add guard,
// drag-and-drop reordering, and attachment uploads straight to S3 with a progress bar.
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (e) {
      return "";
    }
  }

  function refresh(verb, url, values) {
    return htmx.ajax(verb, url, {
      target: "#todo-app",
      swap: "outerHTML",
      values: values || {},
      headers: { "X-CSRFToken": csrfToken() },
    });
  }

  // --- Inline editing ---------------------------------------------------------------
  document.addEventListener("dblclick", function (event) {
    var label = event.target.closest("label.title");
    if (!label) return;
    var item = label.closest("li");
    var input = item.querySelector(":scope > input.edit");
    item.classList.add("editing");
    input.value = label.textContent;
    input.dataset.original = label.textContent;
    input.dataset.url = label.dataset.editUrl;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  });

  function finishEdit(input, save) {
    var item = input.closest("li");
    if (!item.classList.contains("editing")) return;
    item.classList.remove("editing");
    if (!save) {
      input.value = input.dataset.original;
      return;
    }
    var title = input.value.trim();
    if (title === input.dataset.original) return;
    refresh("POST", input.dataset.url, { title: title });
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input.edit")) {
      if (event.key === "Enter") {
        event.preventDefault();
        finishEdit(input, true);
      } else if (event.key === "Escape") {
        finishEdit(input, false);
      }
    }
  });

  document.addEventListener(
    "blur",
    function (event) {
      if (event.target.matches && event.target.matches("input.edit")) finishEdit(event.target, true);
    },
    true
  );

  // TodoMVC: a blank new entry adds nothing and keeps the field; a sent one clears it.
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.target.closest && event.target.closest("form.new-todo-form, form.subtask-form");
    if (form && !form.querySelector("input[name=title]").value.trim()) {
      event.preventDefault();
    }
  });

  // Focus the new-task field again after a swap, as TodoMVC keeps it ready for the next entry.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "todo-app") {
      var active = event.detail.requestConfig && event.detail.requestConfig.elt;
      if (active && active.closest && active.closest("form.new-todo-form")) {
        var field = document.querySelector(".new-todo");
        if (field) field.focus();
      }
      fillTimeZones();
    }
  });

  function fillTimeZones() {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    document.querySelectorAll("input.tz-input").forEach(function (input) {
      if (!input.value && zone) input.value = zone;
    });
  }
  document.addEventListener("DOMContentLoaded", fillTimeZones);

  // --- Drag and drop reordering -----------------------------------------------------
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest("ul.todo-list > li.todo");
    if (!item) return;
    dragged = item;
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.id);
  });
  document.addEventListener("dragover", function (event) {
    var over = dragged && event.target.closest && event.target.closest("ul.todo-list > li.todo");
    if (!over || over === dragged) return;
    event.preventDefault();
    var rect = over.getBoundingClientRect();
    var after = event.clientY > rect.top + rect.height / 2;
    over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
  });
  document.addEventListener("dragend", function () {
    if (!dragged) return;
    var list = dragged.closest("ul.todo-list");
    dragged.classList.remove("dragging");
    dragged = null;
    var ids = Array.prototype.map.call(list.querySelectorAll(":scope > li.todo"), function (li) {
      return li.dataset.id;
    });
    refresh("POST", list.dataset.reorderUrl, { ids: ids });
  });

  // --- Attachments: presigned POST straight to S3 with progress ------------------------
  function postJson(url) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: arguments[1] ? JSON.stringify(arguments[1]) : "{}",
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error((body.error && body.error.message) || "Upload failed.");
        return body;
      });
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input.attach-input") || !input.files.length) return;
    var file = input.files[0];
    var box = input.closest(".attachments");
    var bar = box.querySelector(".upload-progress");
    var problem = box.querySelector(".upload-error");
    problem.hidden = true;
    bar.hidden = false;
    bar.value = 0;
    var startUrl = input.dataset.startUrl;
    postJson(startUrl, { file_name: file.name, size: file.size, content_type: file.type || "application/octet-stream" })
      .then(function (started) {
        return new Promise(function (resolve, reject) {
          var form = new FormData();
          Object.keys(started.upload.fields).forEach(function (name) {
            form.append(name, started.upload.fields[name]);
          });
          form.append("file", file);
          var xhr = new XMLHttpRequest();
          xhr.open("POST", started.upload.url);
          xhr.upload.addEventListener("progress", function (e) {
            if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
          });
          xhr.onload = function () {
            if (xhr.status >= 200 && xhr.status < 300) resolve(started);
            else reject(new Error("The upload was refused (" + xhr.status + ")."));
          };
          xhr.onerror = function () {
            reject(new Error("The upload failed."));
          };
          xhr.send(form);
        });
      })
      .then(function (started) {
        bar.value = 100;
        return postJson(startUrl + "/" + started.attachment.id + "/complete");
      })
      .then(function () {
        refresh("GET", window.location.pathname + window.location.search);
      })
      .catch(function (error) {
        bar.hidden = true;
        problem.textContent = error.message;
        problem.hidden = false;
      });
  });
})();
