// The import page: a drop zone around the file button, an upload that shows its progress,
// and an error summary that takes the focus and leads to each field. Without this module the
// plain form works: the file button, a normal post, the report as the answer.

function plural(count, noun) {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}

function hasFiles(event) {
  return [...(event.dataTransfer?.types || [])].includes("Files");
}

function enhanceDropZone(zone) {
  const input = zone.querySelector('input[type="file"]');
  const chosen = zone.querySelector("[data-drop-chosen]");
  const count = zone.querySelector("[data-drop-count]");
  const names = zone.querySelector("[data-drop-names]");
  zone.querySelector("[data-drop-hint]").hidden = false;

  function show() {
    const files = [...input.files];
    chosen.hidden = files.length === 0;
    count.textContent = `${plural(files.length, "file")} chosen:`;
    names.replaceChildren(
      ...files.map((file) => {
        const item = document.createElement("li");
        item.textContent = file.name;
        return item;
      }),
    );
  }

  input.addEventListener("change", show);
  zone.querySelector("[data-drop-clear]").addEventListener("click", () => {
    input.value = "";
    show();
    input.focus();
  });
  zone.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "copy";
    zone.classList.add("drop-active");
  });
  zone.addEventListener("dragleave", (event) => {
    if (!zone.contains(event.relatedTarget)) zone.classList.remove("drop-active");
  });
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("drop-active");
    const dropped = [...(event.dataTransfer?.files || [])];
    if (!dropped.length) return;
    // Dropped files join those chosen before; one of the same name replaces it,
    // as the server reads the files by name.
    const byName = new Map([...input.files, ...dropped].map((file) => [file.name, file]));
    const all = new DataTransfer();
    for (const file of byName.values()) all.items.add(file);
    input.files = all.files;
    show();
  });
  show();
}

function enhanceUpload(form) {
  const input = form.querySelector('input[type="file"]');
  const button = form.querySelector("[data-import-button]");
  const progress = form.querySelector("[data-upload-progress]");
  const bar = form.querySelector("[data-progress-bar]");
  const status = form.querySelector("[data-upload-status]");

  form.addEventListener("submit", (event) => {
    const count = input.files.length;
    // With no file the server's answer is a field error: a plain post says it as well.
    if (count === 0 || !window.FormData) return;
    event.preventDefault();
    const data = new FormData(form);
    button.disabled = true;
    button.textContent = `Importing ${plural(count, "file")}…`;
    progress.hidden = false;
    bar.value = 0;
    status.textContent = "Uploading: 0%";

    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    let announced = 0;
    request.upload.addEventListener("progress", (progressEvent) => {
      if (!progressEvent.lengthComputable) return;
      const percent = Math.floor((progressEvent.loaded / progressEvent.total) * 100);
      bar.value = percent;
      // Said in steps of ten, so a screen reader is not flooded.
      if (percent - announced >= 10 || percent === 100) {
        announced = percent;
        status.textContent = `Uploading: ${percent}%`;
      }
    });
    request.upload.addEventListener("load", () => {
      bar.removeAttribute("value");
      status.textContent = "Importing on the server…";
    });
    request.addEventListener("load", () => showAnswer(request, form.action));
    request.addEventListener("error", () => {
      button.disabled = false;
      button.textContent = "Import files";
      progress.hidden = true;
      status.textContent =
        "The upload did not reach the server: check the connection and try again.";
    });
    request.send(data);
  });
}

// The server's answer replaces the page, as after a plain post to the same address.
function showAnswer(request, action) {
  const answered = new URL(request.responseURL || action, window.location.href);
  if (answered.pathname !== new URL(action, window.location.href).pathname) {
    // Sent elsewhere (to log in again, say): go there as the browser would have.
    window.location.assign(answered.href);
    return;
  }
  const answer = new DOMParser().parseFromString(request.responseText, "text/html");
  document.title = answer.title;
  document.body.replaceWith(document.adoptNode(answer.body));
  window.scrollTo(0, 0);
  enhance(document);
  const first =
    document.querySelector("[data-error-summary]") ||
    document.querySelector("[data-report-heading]");
  first?.focus();
}

function enhanceErrorSummary(summary) {
  summary.focus();
  // A link to a field focuses it, with its label in view above it.
  summary.addEventListener("click", (event) => {
    const link = event.target.closest('a[href^="#"]');
    const field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) return;
    event.preventDefault();
    (field.closest(".field") || field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
}

function enhance(root) {
  for (const zone of root.querySelectorAll("[data-drop-zone]")) enhanceDropZone(zone);
  for (const form of root.querySelectorAll("[data-upload-form]")) enhanceUpload(form);
  const summary = root.querySelector("[data-error-summary]");
  if (summary) enhanceErrorSummary(summary);
}

// Files dropped beside the zone would open in the tab and lose the page.
for (const type of ["dragover", "drop"]) {
  window.addEventListener(type, (event) => {
    if (hasFiles(event)) event.preventDefault();
  });
}

enhance(document);
