// Todos page: inline editing (double-click or the Rename button; Enter/blur saves, Esc cancels),
// Enter-to-add guard, focus kept on the control acted on across htmx swaps, a polite live region
// announcing each action, the details panel (focus in on open, Esc closes), drag-and-drop
// reordering, attachment uploads straight to S3 with a progress bar, and the Undo toast (10 s).
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (e) {
      return "";
    }
  }

  // --- Focus and announcements across swaps ------------------------------------------
  // Every control has a stable id, so after the fragment is replaced the same control (or,
  // after a delete, its neighbour) gets focus back, and the live region says what happened.
  var pending = null;

  function expect(focusId, message) {
    pending = { focus: focusId, message: message };
  }

  function taskTitle(item) {
    var label = item && item.querySelector(":scope > .view > label.title, :scope > label.title");
    return label ? label.textContent.trim() : "";
  }

  function neighbourFocus(item) {
    var next = item.nextElementSibling || item.previousElementSibling;
    var toggle = next && next.querySelector("input.toggle");
    return toggle ? toggle.id : "new-todo";
  }

  function plan(elt) {
    var item = elt.closest("li.todo, li.subtask");
    var title = taskTitle(item);
    if (elt.closest("form.new-todo-form")) {
      var value = elt.closest("form").querySelector("input[name=title]").value.trim();
      return expect("new-todo", "Task added: " + value);
    }
    if (elt.closest("form.new-list")) {
      var name = elt.closest("form").querySelector("input[name=name]").value.trim();
      return expect("new-todo", "List created: " + name);
    }
    if (elt.closest("form.subtask-form")) return expect(elt.closest("form").querySelector("input").id, "Subtask added");
    if (elt.closest("form.details-form")) return expect(elt.closest("form").querySelector("button[type=submit]").id, "Details saved");
    if (elt.matches("input.toggle")) return expect(elt.id, (elt.checked ? "Completed: " : "Reopened: ") + title);
    if (elt.matches("button.destroy")) return expect(neighbourFocus(item), "Deleted: " + title);
    if (elt.matches(".move-up, .move-down")) {
      var up = elt.matches(".move-up");
      var atEdge = up ? !item.previousElementSibling : !item.nextElementSibling;  // nothing to move past
      if (atEdge) return expect(elt.id, (up ? "Already first: " : "Already last: ") + title);
      return expect(elt.id, "Moved " + (up ? "up: " : "down: ") + title);
    }
    if (elt.matches("#toggle-all")) return expect(elt.id, elt.checked ? "All tasks completed" : "All tasks reopened");
    if (elt.matches("#clear-completed")) return expect("new-todo", "Completed tasks cleared");
    if (elt.matches("#delete-list")) return expect("new-todo", "List deleted");
    if (elt.matches("#undo-button")) return expect(elt.dataset.focus, elt.dataset.undone);
    if (elt.matches("a.details-toggle")) {
      var opening = elt.getAttribute("aria-expanded") !== "true";
      return expect(opening ? "details-heading-" + item.dataset.id : elt.id, opening ? "" : "Details closed");
    }
    if (elt.id) return expect(elt.id, "");
    pending = null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.closest && elt.closest("#todo-app") && elt.id !== "todo-app") plan(elt);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.target || event.detail.target.id !== "todo-app" || !pending) return;
    var done = pending;
    pending = null;
    var target = document.getElementById(done.focus);
    if (target) {
      if (target.matches("h2")) target.setAttribute("tabindex", "-1");
      target.focus();
    }
    var announcer = document.getElementById("todo-announcer");
    var failed = document.querySelector("#todo-app .todo-error");
    var toast = document.getElementById("undo-toast");
    var message = done.message && toast ? done.message + ". Undo is available." : done.message;
    if (announcer) announcer.textContent = failed ? "" : message;
  });

  // --- Undo toast -----------------------------------------------------------------------
  // Shown for its seconds after a delete, a completion or a move; kept while it has focus or the
  // pointer (someone about to press Undo), and gone with the next action's fragment anyway.
  var undoTimer = null;
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.detail.target || event.detail.target.id !== "todo-app") return;
    clearTimeout(undoTimer);
    var toast = document.getElementById("undo-toast");
    if (!toast) return;
    var seconds = parseInt(toast.dataset.seconds, 10) || 10;
    undoTimer = setTimeout(function expire() {
      if (document.getElementById("undo-toast") !== toast) return;
      if (toast.contains(document.activeElement) || toast.matches(":hover")) {
        undoTimer = setTimeout(expire, 1000);
        return;
      }
      toast.remove();
    }, seconds * 1000);
  });

  function refresh(verb, url, values) {
    return htmx.ajax(verb, url, {
      target: "#todo-app",
      swap: "outerHTML",
      values: values || {},
      headers: { "X-CSRFToken": csrfToken() },
    });
  }

  // --- Inline editing ---------------------------------------------------------------
  function startEdit(item) {
    var label = item.querySelector(":scope > .view > label.title, :scope > label.title");
    var input = item.querySelector(":scope > input.edit");
    item.classList.add("editing");
    input.value = label.textContent;
    input.dataset.original = label.textContent;
    input.dataset.url = label.dataset.editUrl;
    input.dataset.version = label.dataset.version || "";
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  document.addEventListener("dblclick", function (event) {
    var label = event.target.closest("label.title");
    if (label && label.dataset.editUrl) startEdit(label.closest("li")); // a viewer's titles are not editable
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.rename");
    if (button) startEdit(button.closest("li"));
  });

  function renameButton(item) {
    return item.querySelector(":scope > .view button.rename");
  }

  function finishEdit(input, save) {
    var item = input.closest("li");
    if (!item.classList.contains("editing")) return;
    item.classList.remove("editing");
    var button = renameButton(item);
    if (!save) {
      input.value = input.dataset.original;
      if (button) button.focus();
      return;
    }
    var title = input.value.trim();
    if (title === input.dataset.original) {
      if (button && document.activeElement === input) button.focus();
      return;
    }
    var toggle = item.querySelector("input.toggle");
    if (title) expect(button ? button.id : toggle.id, "Renamed to " + title);
    else expect(neighbourFocus(item), "Deleted: " + input.dataset.original);
    refresh("POST", input.dataset.url, { title: title, version: input.dataset.version });
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
      return;
    }
    // Quick add: Esc in the new-task box keeps the word before the cursor as typed (a leading backslash).
    if (input.id === "new-todo" && event.key === "Escape" && input.value) {
      event.preventDefault();
      keepLiteral(input);
      return;
    }
    // Esc anywhere in an open details panel closes it and gives focus back to its toggle.
    var panel = event.key === "Escape" && input.closest && input.closest("section.details");
    if (panel) {
      var toggle = document.getElementById(panel.dataset.toggle);
      if (toggle) toggle.click();
    }
  });

  function keepLiteral(input) {
    var text = input.value;
    var caret = input.selectionStart === null ? text.length : input.selectionStart;
    var start = caret;
    while (start > 0 && /\s/.test(text.charAt(start - 1))) start -= 1; // just after a word: that word
    var end = start;
    while (start > 0 && !/\s/.test(text.charAt(start - 1))) start -= 1;
    if (start === end || text.charAt(start) === "\\") return;
    input.value = text.slice(0, start) + "\\" + text.slice(start);
    input.setSelectionRange(caret + 1, caret + 1);
    if (window.htmx) window.htmx.trigger(input, "quickpreview");
  }

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

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "todo-app") fillTimeZones();
  });

  // A refusal that answers with its status (a viewer's write, a sharing form's message) still carries
  // the app with the message in it: show that, as for any other refusal.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var target = event.detail.target;
    if (xhr && xhr.status >= 400 && xhr.status < 500 && target && target.id === "todo-app" &&
        /^\s*<div id="todo-app"/.test(xhr.responseText)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Quick add: what is typed into the new-task box while an add is on its way survives the swap that
  // empties the box; only the text that was sent is taken out.
  var typedAhead = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.matches && form.matches("form.new-todo-form")) {
      typedAhead = { sent: form.querySelector("#new-todo").value };
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var box = document.getElementById("new-todo");
    if (typedAhead && box && event.detail.target && event.detail.target.id === "todo-app") typedAhead.now = box.value;
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!typedAhead || typedAhead.now === undefined || !event.detail.target || event.detail.target.id !== "todo-app") {
      return;
    }
    var ahead = typedAhead;
    typedAhead = null;
    var extra = ahead.now.indexOf(ahead.sent) === 0 ? ahead.now.slice(ahead.sent.length) : ahead.now;
    var box = document.getElementById("new-todo");
    if (!box || box.value || !extra.trim()) return; // a refused add shows its own text again
    box.value = extra.replace(/^\s+/, "");
    box.setSelectionRange(box.value.length, box.value.length);
    if (window.htmx) window.htmx.trigger(box, "quickpreview");
  });

  function fillTimeZones() {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    document.querySelectorAll("input.tz-input").forEach(function (input) {
      if (!input.value && zone) input.value = zone;
    });
    // A reminder's time without a zone of the task's or the profile's is read in the browser's: say which.
    document.querySelectorAll(".tz-name[data-browser]").forEach(function (name) {
      if (zone) name.textContent = zone;
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
    var startedId = null;
    postJson(startUrl, { file_name: file.name, size: file.size, content_type: file.type || "application/octet-stream" })
      .then(function (started) {
        startedId = started.attachment.id;
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
        expect(input.id, "Attached: " + file.name);
        refresh("GET", window.location.pathname + window.location.search);
      })
      .catch(function (error) {
        bar.hidden = true;
        problem.textContent = "Upload failed — choose the file again to retry. (" + error.message + ")";
        problem.hidden = false;
        // The failed upload's record goes now rather than waiting for its window to close.
        if (startedId) deleteAttachment(startUrl + "/" + startedId);
      });
  });

  // Retry a failed upload: forget the failed record and pick the file again (the click opens the picker).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.retry-upload");
    if (!button) return;
    var input = document.getElementById(button.dataset.fileInput);
    var row = button.closest("li.attachment");
    deleteAttachment(button.dataset.failedUrl).then(function () {
      if (row) row.remove();
    });
    if (input) input.click();
  });

  function deleteAttachment(url) {
    return fetch(url, {
      method: "DELETE",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
  }
})();
