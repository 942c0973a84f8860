// Find it in the other outlets: an annotation's "Find in other outlets" link opens a panel
// beside the article with the same words in the story's other articles, each of which
// can be annotated under the same claim without leaving the page. The panel's content is
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
    if (!link) return;
    event.preventDefault();
    opener = link;
    panel.hidden = false;
    await load(link.href);
    panel.scrollIntoView({ block: "nearest" });
    panel.querySelector("#find-heading").focus();
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
