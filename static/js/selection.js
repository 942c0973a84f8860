// A browser selection as offsets into an article's text, shared by the annotate form
// (annotate.js) and the review page's "move" form (review.js).
//
// Offsets count Unicode code points, as the server's Python strings do; the browser's own
// string offsets count UTF-16 units, so every count here goes through Array.from().

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

// The selection as [start, end) in the article text, trimmed of white space, or null
// when it holds no article text. `article` is the element holding the passages (each
// with data-start and data-end); `source` is the text as an array of code points.
export function selectionOffsets(article, source, selection) {
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
