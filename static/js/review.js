// The move page: selecting words in the current text fills the new place of an annotation
// (start, end and the exact words) in the page's ordinary form; the server checks them.
// Without this script the editor types the place in characters.
//
// Offsets count Unicode code points, as the server's Python strings do; the browser's own
// string offsets count UTF-16 units, so every count here goes through Array.from()
// (selection.js does the counting, for the annotate form too).

import { selectionOffsets } from "./selection.js";

const article = document.getElementById("article-text");
const form = document.getElementById("move-form");
const source = Array.from(JSON.parse(document.getElementById("article-source").textContent));
const output = document.getElementById("move-selected");

function takeSelection() {
  const place = selectionOffsets(article, source, window.getSelection());
  if (!place) return;
  const words = source.slice(place.start, place.end).join("");
  form.elements.start.value = String(place.start);
  form.elements.end.value = String(place.end);
  form.elements.exact.value = words;
  output.textContent = words;
}

if (article && form) {
  document.addEventListener("selectionchange", takeSelection);
  // Typed offsets no longer describe the selected words: the server checks them alone.
  for (const name of ["start", "end"]) {
    form.elements[name].addEventListener("input", () => {
      form.elements.exact.value = "";
      output.textContent = "typed in characters";
    });
  }
}
