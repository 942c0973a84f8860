// Annotating by selection. The editor selects text in the article; a form opens
// beside it; saving posts the selection as offsets plus the exact quote with its
// prefix and suffix, and the server checks the quote before storing anything.
//
// Offsets count Unicode code points, as the server's Python strings do; the
// browser's own string offsets count UTF-16 units, so every count here goes
// through Array.from().

import { markAnnotation } from "./reader.js";

const CONTEXT = 32;
const article = document.getElementById("article-text");
const form = document.getElementById("annotate-form");
const source = Array.from(JSON.parse(document.getElementById("article-source").textContent));

const fields = {
  start: form.elements.start,
  end: form.elements.end,
  exact: form.elements.exact,
  prefix: form.elements.prefix,
  suffix: form.elements.suffix,
  submission: form.elements.submission,
  tags: document.getElementById("annotate-tags"),
  tagsValue: document.getElementById("annotate-tags-value"),
  chips: document.getElementById("annotate-chips"),
  quote: document.getElementById("annotate-quote"),
  error: document.getElementById("annotate-error"),
};

// A random key for one opened form: sending it twice (a double click, a retry after a
// dropped connection) makes one annotation. crypto.randomUUID needs a secure context;
// getRandomValues works on plain http too.
function newSubmissionKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function codePoints(text) {
  return Array.from(text).length;
}

// Offset in the article text of a boundary point that lies inside `passage`.
function offsetIn(passage, node, offset) {
  const range = document.createRange();
  range.setStart(passage, 0);
  range.setEnd(node, offset);
  return Number(passage.dataset.start) + codePoints(range.toString());
}

// The selection as [start, end) in the article text, trimmed of white space,
// or null when it holds no article text.
export function selectionOffsets(selection) {
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  const passages = [...article.querySelectorAll(".passage")].filter(
    (passage) => range.intersectsNode(passage) && passage.getClientRects().length > 0,
  );
  if (!passages.length) return null;
  const first = passages[0];
  const last = passages[passages.length - 1];
  let start = first.contains(range.startContainer)
    ? offsetIn(first, range.startContainer, range.startOffset)
    : Number(first.dataset.start);
  let end = last.contains(range.endContainer)
    ? offsetIn(last, range.endContainer, range.endOffset)
    : Number(last.dataset.end);
  while (start < end && /\s/u.test(source[start])) start += 1;
  while (end > start && /\s/u.test(source[end - 1])) end -= 1;
  return start < end ? { start, end } : null;
}

function chosenTags() {
  return [...fields.chips.querySelectorAll("[data-tag]")].map((chip) => chip.dataset.tag);
}

function addTag(raw) {
  const name = raw.trim().replace(/\s+/g, " ").toLowerCase();
  if (!name || chosenTags().includes(name)) return;
  const chip = document.createElement("li");
  chip.className = "tag-chip";
  chip.dataset.tag = name;
  chip.textContent = name;
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "chip-remove";
  remove.textContent = "×";
  remove.setAttribute("aria-label", `Remove tag ${name}`);
  remove.addEventListener("click", () => {
    chip.remove();
    fields.tags.focus();
  });
  chip.append(" ", remove);
  fields.chips.append(chip);
}

function place(range) {
  const rect = range.getBoundingClientRect();
  const wide = window.matchMedia("(min-width: 48rem)").matches;
  form.classList.toggle("floating", wide);
  if (wide) {
    const left = Math.min(window.scrollX + rect.left, window.scrollX + window.innerWidth - 380);
    form.style.setProperty("--form-top", `${window.scrollY + rect.bottom + 8}px`);
    form.style.setProperty("--form-left", `${Math.max(8, left)}px`);
  }
}

// The last selection made in the article, kept so that the "Annotate selection"
// button still knows it after focus has moved to the button.
let lastSelection = null;

function remember() {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !article.contains(selection.anchorNode)) return;
  const span = selectionOffsets(selection);
  if (span) {
    lastSelection = { ...span, range: selection.getRangeAt(0).cloneRange() };
    openButton.disabled = false;
  }
}

function open() {
  if (!lastSelection) return;
  const { start, end, range } = lastSelection;
  fields.start.value = start;
  fields.end.value = end;
  fields.exact.value = source.slice(start, end).join("");
  fields.prefix.value = source.slice(Math.max(0, start - CONTEXT), start).join("");
  fields.suffix.value = source.slice(end, end + CONTEXT).join("");
  fields.quote.textContent = fields.exact.value;
  fields.submission.value = newSubmissionKey();
  fields.error.textContent = "";
  place(range);
  form.hidden = false;
  fields.tags.focus({ preventScroll: true });
}

function close() {
  form.hidden = true;
  form.reset();
  fields.chips.replaceChildren();
  fields.error.textContent = "";
}

// Replace the text and the annotation list with the server's new rendering.
async function refresh() {
  const response = await fetch(window.location.pathname, { credentials: "same-origin" });
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const id of ["article-text", "annotation-list-holder", "annotations-heading"]) {
    const fresh = page.getElementById(id);
    if (fresh) document.getElementById(id).innerHTML = fresh.innerHTML;
  }
}

async function save(event) {
  event.preventDefault();
  if (fields.tags.value.trim()) addTag(fields.tags.value);
  fields.tags.value = "";
  fields.tagsValue.value = chosenTags().join(",");
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    const type = response.headers.get("Content-Type") || "";
    const reply = type.includes("json") ? await response.json() : {};
    if (!response.ok) {
      fields.error.textContent =
        reply.error || `The annotation was not saved (the server answered ${response.status}).`;
      return;
    }
    close();
    window.getSelection().removeAllRanges();
    await refresh();
    markAnnotation(reply.id, { scroll: false });
  } catch (error) {
    fields.error.textContent = `The annotation was not saved: ${error.message}`;
  } finally {
    button.disabled = false;
  }
}

function maybeOpen(event) {
  if (!form.hidden && form.contains(event.target)) return;
  // Let the selection settle (a click inside a selection collapses it afterwards).
  window.setTimeout(() => {
    remember();
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed && article.contains(selection.anchorNode)) open();
  }, 0);
}

const openButton = document.getElementById("annotate-open");
openButton.hidden = false;
openButton.addEventListener("click", open);
article.addEventListener("mouseup", maybeOpen);
document.addEventListener("selectionchange", remember);

fields.tags.addEventListener("keydown", (event) => {
  if (event.key === "Enter" || event.key === ",") {
    event.preventDefault();
    addTag(fields.tags.value);
    fields.tags.value = "";
  } else if (event.key === "Backspace" && !fields.tags.value) {
    fields.chips.lastElementChild?.remove();
  }
});
// Picking a suggestion from the list adds it at once.
fields.tags.addEventListener("change", () => {
  if (fields.tags.value.trim()) {
    addTag(fields.tags.value);
    fields.tags.value = "";
  }
});
form.addEventListener("submit", save);
document.getElementById("annotate-cancel").addEventListener("click", close);
form.addEventListener("keydown", (event) => {
  if (event.key === "Escape") close();
});
