// The claim comparison page: filters apply as soon as they change, always through
// the URL (so the address bar reproduces what is on screen), and "Copy link"
// puts that address on the clipboard.

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

const copy = document.getElementById("copy-link");
const status = document.getElementById("copy-status");
if (copy && navigator.clipboard) {
  copy.hidden = false;
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      status.textContent = "Link copied.";
    } catch {
      status.textContent = "Could not copy; copy the address from the address bar.";
    }
  });
}
