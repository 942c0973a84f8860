// A background import's page: asks the server how far the import got every few seconds and
// says it in the progress line (aria-live="polite"); when the import ends, the page is
// loaded again with its report. Without this module the page's refresh link does the same.

const EVERY_MS = 2000;

function follow(section) {
  const line = section.querySelector("[data-job-progress]");
  const url = section.dataset.jobStatus;
  let last = line.textContent;

  async function ask() {
    let progress;
    try {
      const answer = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!answer.ok) throw new Error(`status ${answer.status}`);
      progress = await answer.json();
    } catch {
      // A dropped connection or a restarting server: ask again later.
      window.setTimeout(ask, EVERY_MS * 3);
      return;
    }
    if (progress.finished) {
      window.location.reload();
      return;
    }
    // Only a change is written, so a screen reader hears each step once.
    if (progress.line !== last) {
      last = progress.line;
      line.textContent = progress.line;
    }
    window.setTimeout(ask, EVERY_MS);
  }

  window.setTimeout(ask, EVERY_MS);
}

for (const section of document.querySelectorAll("[data-job-status]")) follow(section);
