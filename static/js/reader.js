// The article reader: clicking a highlight shows its annotation beside the text,
// a link to #hl-ID marks that annotation's highlights and scrolls to them, and a link to
// #pN (a search result) marks passage N.

function marksOf(id) {
  return document.querySelectorAll(`mark[data-annotations~="${CSS.escape(String(id))}"]`);
}

function clearMarked() {
  for (const el of document.querySelectorAll(".is-target")) el.classList.remove("is-target");
}

export function markAnnotation(id, { scroll = true } = {}) {
  clearMarked();
  const marks = marksOf(id);
  for (const mark of marks) mark.classList.add("is-target");
  const anchor = document.getElementById(`hl-${id}`);
  const fold = anchor && anchor.closest("details");
  if (fold) fold.open = true;
  const item = document.getElementById(`annotation-${id}`);
  if (item) item.classList.add("is-target");
  if (scroll && marks.length) marks[0].scrollIntoView({ block: "center" });
}

// A link to #pN (from search results) marks passage N, opening its fold.
function markPassage(element) {
  clearMarked();
  const fold = element.closest("details");
  if (fold) fold.open = true;
  element.classList.add("is-target");
  element.scrollIntoView({ block: "center" });
}

function markFromHash() {
  const match = /^#hl-(\d+)$/.exec(window.location.hash);
  if (match) {
    markAnnotation(match[1]);
    return;
  }
  const passage = /^#p\d+$/.test(window.location.hash) && document.getElementById(window.location.hash.slice(1));
  if (passage && passage.classList.contains("passage")) markPassage(passage);
}

document.addEventListener("click", (event) => {
  const mark = event.target.closest("mark[data-annotations]");
  if (!mark || !window.getSelection().isCollapsed) return;
  const id = mark.dataset.annotations.split(" ")[0];
  markAnnotation(id, { scroll: false });
  const item = document.getElementById(`annotation-${id}`);
  if (item) {
    item.setAttribute("tabindex", "-1");
    item.focus({ preventScroll: true });
    item.scrollIntoView({ block: "nearest" });
  }
});

window.addEventListener("hashchange", markFromHash);
markFromHash();
