// Annotating by selection. The editor selects text in the article; a form opens
// beside it; saving posts the selection as offsets plus the exact quote with its
// prefix and suffix, and the server checks the quote before storing anything.
//
// The loop is kept short for the keyboard: the form opens with focus in the tag group
// (keys 1–9 toggle tags there), the claim field is a combobox that offers the claim last
// used first, Ctrl+Enter saves, and after saving focus moves to the new annotation's card
// with a "Saved" status, next to the link to the next outlet's article.
//
// Offsets count Unicode code points, as the server's Python strings do; the
// browser's own string offsets count UTF-16 units, so every count here goes
// through Array.from().

import { ClaimCombobox } from "./combobox.js";
import { markAnnotation } from "./reader.js";
import { selectionOffsets } from "./selection.js";
import { TagPicker } from "./tag-picker.js";

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
  quote: document.getElementById("annotate-quote"),
  error: document.getElementById("annotate-error"),
  status: document.getElementById("annotate-status"),
};
const openButton = document.getElementById("annotate-open");
const tags = new TagPicker(form.querySelector("[data-tag-picker]"));
const claim = new ClaimCombobox(form.elements.claim, { newClaim: form.elements.new_claim });

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

// Where the form goes. It must never cover the selected text, and its Save button must
// be in view: beside the selection on a wide screen (right, left, below or above, the
// first that fits), as a bottom sheet on a phone with the page scrolled so the selection
// sits above it.
const GAP = 12;
const MARGIN = 8;

function scrollPage(dy) {
  if (Math.abs(dy) >= 1) window.scrollBy({ top: dy, behavior: "instant" });
}

function place(range) {
  const wide = window.matchMedia("(min-width: 48rem)").matches;
  form.classList.toggle("floating", wide);
  document.body.classList.toggle("has-annotate-sheet", !wide);
  const viewHeight = window.innerHeight;
  const viewWidth = document.documentElement.clientWidth;
  const height = form.offsetHeight;
  let selected = range.getBoundingClientRect();

  if (!wide) {
    const sheetTop = viewHeight - height;
    let dy = selected.bottom - (sheetTop - MARGIN);
    if (dy < 0 && selected.top >= MARGIN) dy = 0;
    // A selection taller than the room above the sheet shows its start.
    if (dy > 0 && selected.top - dy < MARGIN) dy = selected.top - MARGIN;
    if (dy < 0) dy = selected.top - MARGIN;
    scrollPage(dy);
    return;
  }

  // Bring the selection into view first (opened from the keyboard, it may be off screen).
  if (selected.top < MARGIN || selected.bottom > viewHeight - MARGIN) {
    scrollPage(selected.top - Math.max(MARGIN, (viewHeight - selected.height) / 3));
    selected = range.getBoundingClientRect();
  }
  const width = form.offsetWidth;
  const fitsHeight = height <= viewHeight - 2 * MARGIN;
  const clampTop = (top) => Math.max(MARGIN, Math.min(top, viewHeight - MARGIN - height));
  const clampLeft = (left) => Math.max(MARGIN, Math.min(left, viewWidth - MARGIN - width));
  // Right of the article's column where there is room (the text stays readable), else
  // right of the selection.
  const besideColumn = article.getBoundingClientRect().right + GAP;
  let spot = null;
  if (fitsHeight && besideColumn + width <= viewWidth - MARGIN) {
    spot = { left: Math.max(besideColumn, selected.right + GAP), top: clampTop(selected.top) };
  } else if (fitsHeight && selected.right + GAP + width <= viewWidth - MARGIN) {
    spot = { left: selected.right + GAP, top: clampTop(selected.top) };
  } else if (fitsHeight && selected.left - GAP - width >= MARGIN) {
    spot = { left: selected.left - GAP - width, top: clampTop(selected.top) };
  } else if (selected.bottom + GAP + height <= viewHeight - MARGIN) {
    spot = { left: clampLeft(selected.left), top: selected.bottom + GAP };
  } else if (selected.top - GAP - height >= MARGIN) {
    spot = { left: clampLeft(selected.left), top: selected.top - GAP - height };
  } else {
    // Below, scrolling the page as little as needed, never past the selection's top.
    const dy = Math.min(selected.bottom + GAP + height - (viewHeight - MARGIN), selected.top - MARGIN);
    scrollPage(dy);
    selected = range.getBoundingClientRect();
    spot = { left: clampLeft(selected.left), top: selected.bottom + GAP };
  }
  form.style.setProperty("--form-top", `${window.scrollY + spot.top}px`);
  form.style.setProperty("--form-left", `${window.scrollX + spot.left}px`);
}

// The pending selection stays marked while focus is in the form (CSS Custom Highlight API).
function markPending(range) {
  if (window.CSS && CSS.highlights && window.Highlight) {
    CSS.highlights.set("pending", new Highlight(range));
  }
}

function unmarkPending() {
  if (window.CSS && CSS.highlights) CSS.highlights.delete("pending");
}

// The last selection made in the article, kept so that the "Annotate selection"
// button still knows it after focus has moved to the button.
let lastSelection = null;
// Whether the open form came from the button (focus goes back there) or the mouse.
let openedFromButton = false;

function remember() {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !article.contains(selection.anchorNode)) return;
  const span = selectionOffsets(article, source, selection);
  if (span) {
    lastSelection = { ...span, range: selection.getRangeAt(0).cloneRange() };
    openButton.disabled = false;
  }
}

function open({ fromButton = false } = {}) {
  if (!lastSelection) return;
  const { start, end, range } = lastSelection;
  openedFromButton = fromButton;
  fields.start.value = start;
  fields.end.value = end;
  fields.exact.value = source.slice(start, end).join("");
  fields.prefix.value = source.slice(Math.max(0, start - CONTEXT), start).join("");
  fields.suffix.value = source.slice(end, end + CONTEXT).join("");
  fields.quote.textContent = fields.exact.value;
  fields.submission.value = newSubmissionKey();
  fields.error.textContent = "";
  fields.status.textContent = "";
  markPending(range);
  form.hidden = false;
  place(range);
  tags.focus({ preventScroll: true });
}

function close({ restore = true } = {}) {
  form.hidden = true;
  form.reset();
  tags.reset();
  claim.reset();
  fields.error.textContent = "";
  unmarkPending();
  document.body.classList.remove("has-annotate-sheet");
  if (!restore || !lastSelection) return;
  // Focus goes back where the editor was: the button, or the selection itself.
  if (openedFromButton) {
    openButton.focus();
  } else {
    const passage = lastSelection.range.startContainer.parentElement?.closest(".passage");
    if (passage) {
      passage.tabIndex = -1;
      passage.focus({ preventScroll: true });
    }
  }
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(lastSelection.range);
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

function announce(message) {
  // Emptied first, so the same words said twice are announced twice.
  fields.status.textContent = "";
  window.setTimeout(() => {
    fields.status.textContent = message;
  }, 50);
}

async function save(event) {
  event.preventDefault();
  claim.commit();
  tags.sync();
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
      // Everything typed stays; a refused claim is where the editor goes next.
      if (reply.errors && reply.errors.claim) claim.input.focus();
      return;
    }
    close({ restore: false });
    lastSelection = null;
    openButton.disabled = true;
    window.getSelection().removeAllRanges();
    await refresh();
    markAnnotation(reply.id, { scroll: false });
    const card = document.getElementById(`annotation-${reply.id}`);
    if (card) {
      card.tabIndex = -1;
      card.focus({ preventScroll: true });
      card.scrollIntoView({ block: "nearest" });
    }
    announce("Saved");
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

// Absolute positions are page coordinates only for a child of <body>.
document.body.append(form);
openButton.hidden = false;
openButton.addEventListener("click", () => open({ fromButton: true }));
article.addEventListener("mouseup", maybeOpen);
document.addEventListener("selectionchange", remember);
form.addEventListener("submit", save);
document.getElementById("annotate-cancel").addEventListener("click", () => close());
form.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    event.preventDefault();
    close();
  } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    // Ctrl+Enter (Cmd+Enter on a Mac) saves from anywhere in the form.
    event.preventDefault();
    form.requestSubmit();
  }
});
window.addEventListener("resize", () => {
  if (!form.hidden && lastSelection) place(lastSelection.range);
});
