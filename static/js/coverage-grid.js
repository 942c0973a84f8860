// The story page's coverage grid: when the table is wider than its box (a phone, or many
// outlets), show the "Scroll sideways for more outlets" hint and fade the right edge until
// the reader reaches the last column. Without this module the grid still scrolls.

const frame = document.querySelector("[data-grid-frame]");
const hint = document.getElementById("grid-scroll-hint");
const box = frame?.querySelector(".table-scroll");

function update() {
  // One pixel of slack: zoomed layouts round widths.
  const overflows = box.scrollWidth - box.clientWidth > 1;
  const atEnd = box.scrollLeft + box.clientWidth >= box.scrollWidth - 1;
  hint.hidden = !overflows;
  frame.classList.toggle("more-to-the-right", overflows && !atEnd);
}

if (frame && hint && box) {
  update();
  box.addEventListener("scroll", update, { passive: true });
  new ResizeObserver(update).observe(box);
}
