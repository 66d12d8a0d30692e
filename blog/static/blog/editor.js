// The post editor's image upload: presigned POST straight to S3 with a progress bar,
// then wait for the pipeline's renditions and put the image into the post.
(function () {
  "use strict";
  const uploader = document.getElementById("uploader");
  if (!uploader) return;
  const fileInput = document.getElementById("image-file");
  const altInput = document.getElementById("image-alt");
  const progress = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const thumb = document.getElementById("upload-thumb");
  const actions = document.getElementById("upload-actions");
  const body = document.getElementById("id_body_markdown");
  const featureId = document.getElementById("id_feature_image_id");
  const featureAlt = document.getElementById("id_feature_image_alt");
  const featurePreview = document.getElementById("feature-preview");
  let current = null;

  function say(text) { status.textContent = text; }

  function api(url, options) {
    const headers = Object.assign({ "Accept": "application/json" }, (options && options.headers) || {});
    return fetch(url, Object.assign({ credentials: "same-origin" }, options || {}, { headers: headers }))
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) throw new Error((data.error && data.error.message) || "Request failed");
          return data;
        });
      });
  }

  function insertAtCursor(text) {
    const start = body.selectionStart || body.value.length;
    const end = body.selectionEnd || start;
    const before = body.value.slice(0, start);
    const spacer = before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "";
    body.value = before + spacer + text + "\n\n" + body.value.slice(end);
    body.dispatchEvent(new Event("input", { bubbles: true }));
    document.body.dispatchEvent(new Event("preview-refresh"));
  }

  function smallest(image) {
    const fallback = image.renditions.filter(function (r) { return r.type !== "image/webp"; });
    fallback.sort(function (a, b) { return a.width - b.width; });
    return fallback[0];
  }

  function markdownFor(image) {
    const alt = (altInput.value || image.filename || "image").replace(/[\[\]]/g, "");
    return "![" + alt + "](image:" + image.id + ")";
  }

  function showReady(image) {
    current = image;
    say("Ready: " + image.width + " × " + image.height + " px, " + image.renditions.length + " renditions.");
    thumb.innerHTML = "";
    const img = document.createElement("img");
    img.src = smallest(image).url;
    img.alt = altInput.value || image.filename;
    thumb.appendChild(img);
    actions.hidden = false;
    insertAtCursor(markdownFor(image));
  }

  function waitForRenditions(image, attempt) {
    api(uploader.dataset.statusUrl.replace(/0{32}/, image.id)).then(function (latest) {
      if (latest.status === "ready") return showReady(latest);
      if (latest.status === "rejected") { say("Rejected: " + latest.reason); return; }
      if (attempt >= 120) { say("Still processing; reload the page later to use it."); return; }
      setTimeout(function () { waitForRenditions(image, attempt + 1); }, 500);
    }).catch(function (error) { say("Could not check the image: " + error.message); });
  }

  function upload() {
    const file = fileInput.files[0];
    if (!file) { say("Choose an image first."); return; }
    if (!altInput.value) altInput.value = file.name.replace(/\.[^.]+$/, "").replace(/[-_]+/g, " ");
    say("Preparing upload…");
    api(uploader.dataset.startUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": uploader.dataset.csrf },
      body: JSON.stringify({ filename: file.name, content_type: file.type, size: file.size }),
    }).then(function (started) {
      const form = new FormData();
      Object.keys(started.upload.fields).forEach(function (name) { form.append(name, started.upload.fields[name]); });
      form.append("file", file);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", started.upload.url);
      progress.hidden = false;
      progress.value = 0;
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
      };
      xhr.onload = function () {
        if (xhr.status >= 200 && xhr.status < 300) {
          progress.value = 100;
          say("Uploaded; making renditions…");
          waitForRenditions(started.image, 0);
        } else {
          say("The upload was refused (" + xhr.status + ").");
        }
      };
      xhr.onerror = function () { say("The upload failed; check your connection and try again."); };
      xhr.send(form);
    }).catch(function (error) { say(error.message); });
  }

  document.getElementById("image-upload").addEventListener("click", upload);
  document.getElementById("image-insert").addEventListener("click", function () {
    if (current) insertAtCursor(markdownFor(current));
  });
  document.getElementById("image-feature").addEventListener("click", function () {
    if (!current) return;
    featureId.value = current.id;
    if (!featureAlt.value) featureAlt.value = altInput.value;
    featurePreview.innerHTML = "";
    const img = document.createElement("img");
    img.src = smallest(current).url;
    img.alt = featureAlt.value;
    featurePreview.appendChild(img);
    say("This image will be the feature image when you save.");
  });
  const clear = document.getElementById("feature-clear");
  if (clear) clear.addEventListener("click", function () {
    featureId.value = "";
    featurePreview.innerHTML = "";
    clear.hidden = true;
  });
})();
