// The claim comparison page: filters apply as soon as they change, always through
// the URL (so the address bar reproduces what is on screen); "Copy link" puts that
// address on the clipboard, "Publish and copy link" publishes a draft first; "Copy
// citation" copies the citation text.

const form = document.querySelector("form[data-filters]");

function filterUrl() {
  const params = new URLSearchParams();
  const checked = (name) =>
    [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((input) => input.value);
  const outlets = checked("outlets");
  const tags = checked("tags");
  if (outlets.length) params.set("outlets", outlets.join(","));
  if (tags.length) params.set("tags", tags.join(","));
  if (form.elements.stance.value) params.set("stance", form.elements.stance.value);
  if (form.elements.view) params.set("view", form.elements.view.value);
  const query = params.toString().replaceAll("%2C", ",");
  return form.getAttribute("action") + (query ? `?${query}` : "");
}

if (form) {
  form.addEventListener("change", () => window.location.assign(filterUrl()));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    window.location.assign(filterUrl());
  });
}

// The filters stay folded on a phone, so the comparison itself fills the first screen;
// on a wider screen there is room to show them.
const fold = document.querySelector("details[data-filters-fold]");
if (fold && window.matchMedia("(min-width: 48rem)").matches) fold.open = true;

const status = document.getElementById("copy-status");
const copy = document.getElementById("copy-link");
const publishForm = document.querySelector("form[data-publish-copy]");

async function copyText(text, done) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = done;
  } catch {
    status.textContent = "Could not copy; copy the address from the address bar.";
  }
}

if (copy && navigator.clipboard) {
  // A draft's link is a dead end for readers: its author publishes it first.
  copy.hidden = Boolean(publishForm);
  copy.addEventListener("click", () => copyText(window.location.href, "Link copied."));
}

async function publish() {
  const response = await fetch(publishForm.action, {
    method: "POST",
    body: new FormData(publishForm),
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

function showPublished() {
  for (const element of document.querySelectorAll("[data-draft-only]")) element.remove();
  for (const element of document.querySelectorAll("[data-published-only]")) {
    element.hidden = false;
  }
  if (copy) copy.hidden = !navigator.clipboard;
}

if (publishForm && window.fetch) {
  publishForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = publishForm.querySelector("button");
    button.disabled = true;
    try {
      await publish();
    } catch {
      button.disabled = false;
      status.textContent = "Could not publish; try again, or reload the page.";
      return;
    }
    // The button goes with the draft notice: keep the keyboard where it was.
    showPublished();
    if (copy && !copy.hidden) copy.focus();
    try {
      await navigator.clipboard.writeText(window.location.href);
      status.textContent = "Published. Link copied.";
    } catch {
      status.textContent = "Published. Copy the address from the address bar.";
    }
  });
}

const citation = document.getElementById("citation");
const copyCitation = document.getElementById("copy-citation");
if (citation && copyCitation && navigator.clipboard) {
  copyCitation.hidden = false;
  copyCitation.addEventListener("click", () =>
    copyText(citation.textContent.trim(), "Citation copied."),
  );
}

// Printing shows every excerpt, those folded away included.
window.addEventListener("beforeprint", () => {
  for (const details of document.querySelectorAll("details.more-excerpts")) details.open = true;
});
