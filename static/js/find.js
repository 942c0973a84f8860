// Find it in the other outlets: an annotation's "Find in other outlets" link, or the
// annotate form's button for the words selected, opens a panel beside the article with
// the same words in the story's other articles, each of which can be annotated under the
// same claim (and tags) without leaving the page. The panel's content is
// the server's own HTML (the find page's results part); without this script the link
// opens that page.

const panel = document.getElementById("find-panel");
const body = panel && panel.querySelector("[data-find-body]");
let opener = null;

async function load(url) {
  const address = new URL(url, window.location.href);
  address.searchParams.set("fragment", "1");
  body.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(address, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`error ${response.status}`);
    body.innerHTML = await response.text();
  } catch (error) {
    body.textContent = `The search failed (${error.message}). Try again.`;
  } finally {
    body.removeAttribute("aria-busy");
  }
}

async function open(url, from) {
  opener = from;
  panel.hidden = false;
  await load(url);
  panel.scrollIntoView({ block: "nearest" });
  panel.querySelector("#find-heading").focus();
}

// The annotate form's words, claim and tags, as a search of the other outlets.
function selectionSearch(button) {
  const form = button.form;
  const address = new URL(button.dataset.url, window.location.href);
  address.searchParams.set("q", form.elements.exact.value);
  if (form.elements.claim.value) address.searchParams.set("claim", form.elements.claim.value);
  if (form.elements.tags.value) address.searchParams.set("tags", form.elements.tags.value);
  return address;
}

async function annotate(form) {
  const status = form.querySelector(".find-status");
  const button = form.querySelector("button");
  button.disabled = true;
  status.textContent = "Annotating…";
  const data = new FormData(form);
  data.delete("next");
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    const type = response.headers.get("Content-Type") || "";
    const reply = type.includes("json") ? await response.json() : {};
    if (!response.ok) throw new Error(reply.error || `error ${response.status}`);
    const link = document.createElement("a");
    link.href = reply.url;
    link.textContent = "Annotated: open it";
    status.replaceChildren(link);
    button.remove();
  } catch (error) {
    status.textContent = `Not annotated: ${error.message}`;
    button.disabled = false;
  }
}

if (panel) {
  document.addEventListener("click", async (event) => {
    const link = event.target.closest("a[data-find]");
    const button = event.target.closest("button[data-find-selection]");
    if (link) {
      event.preventDefault();
      await open(link.href, link);
    } else if (button) {
      const address = selectionSearch(button);
      // The annotate form closes (its Cancel), the panel takes its place.
      document.getElementById("annotate-cancel").click();
      await open(address, null);
    }
  });

  panel.addEventListener("submit", async (event) => {
    const form = event.target;
    if (form.matches("[data-find-form]")) {
      event.preventDefault();
      const address = new URL(form.action, window.location.href);
      for (const [name, value] of new FormData(form)) address.searchParams.set(name, value);
      await load(address);
      const field = panel.querySelector("#find-q");
      if (field) field.focus();
    } else if (form.matches("[data-find-annotate]")) {
      event.preventDefault();
      await annotate(form);
    }
  });

  panel.querySelector("[data-find-close]").addEventListener("click", () => {
    panel.hidden = true;
    if (opener) opener.focus();
  });
}
