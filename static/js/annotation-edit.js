// The annotation edit page and a quotation's "annotate every rendering" form: the same tag
// buttons and claim combobox as the annotate form.
// Without this script the page is a plain form (tags separated by commas).

import { ClaimCombobox } from "./combobox.js";
import { TagPicker } from "./tag-picker.js";

const form = document.querySelector("[data-annotation-fields]");
const tags = new TagPicker(form.querySelector("[data-tag-picker]"));
const claim = new ClaimCombobox(form.elements.claim, { newClaim: form.elements.new_claim });

form.addEventListener("submit", () => {
  claim.commit();
  tags.sync();
});
form.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    // Ctrl+Enter (Cmd+Enter on a Mac) saves from anywhere in the form.
    event.preventDefault();
    form.requestSubmit();
  }
});
