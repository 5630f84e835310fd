// What the composer and the schedule page share to show a check: the findings as a list
// with their fixes, the words highlighted behind the text, the verdict and the counter.
"use strict";
(() => {
  const {el} = window.tactful;
  const VERDICTS = {ok: "OK to publish", review: "review before publishing", blocked: "do not publish"};
  const NOTES = "OK, with notes";  // an "ok" verdict that still has info findings to read

  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  }

  // [start, end, class] for every span of every finding, and the part over the limit.
  function marksOf(findings, cut, length) {
    const marks = [];
    for (const f of findings) for (const [s, e] of f.spans) marks.push([s, e, f.severity]);
    if (cut !== null && cut !== undefined) marks.push([cut, length, "over"]);
    return marks;
  }

  // How bad each kind of mark is: where marks overlap, the worst one paints that stretch
  // (the badge speaks for the worst finding, so the colour must too).
  const RANK = {info: 1, warn: 2, over: 3, block: 4};

  // Non-overlapping [start, end, class] runs, in order: each stretch of the text covered by
  // marks gets the class of the most severe mark covering it.
  function runsOf(marks, length) {
    const valid = marks.filter(([s, e]) => e > s && s < length).map(([s, e, c]) => [Math.max(0, s), Math.min(e, length), c]);
    const points = [...new Set(valid.flatMap(([s, e]) => [s, e]))].sort((a, b) => a - b);
    const runs = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const [a, b] = [points[i], points[i + 1]];
      let best = null;
      for (const [s, e, c] of valid) if (s <= a && e >= b && (best === null || (RANK[c] || 0) > (RANK[best] || 0))) best = c;
      if (best === null) continue;
      const prev = runs[runs.length - 1];
      if (prev && prev[1] === a && prev[2] === best) prev[1] = b;
      else runs.push([a, b, best]);
    }
    return runs;
  }

  // The text behind the textarea with <mark>s where the findings are. The only HTML built
  // from data anywhere: every piece of the text is escaped first.
  function highlight(backdrop, text, marks) {
    let html = "", pos = 0;
    for (const [s, e, cls] of runsOf(marks, text.length)) {
      html += escapeHtml(text.slice(pos, s)) + `<mark class="${cls}">` + escapeHtml(text.slice(s, e)) + "</mark>";
      pos = e;
    }
    backdrop.innerHTML = html + escapeHtml(text.slice(pos)) + "\n";
  }

  // The findings as <li>s of `ol`. Each suggestion is what `options.suggestion(f, s)`
  // returns (a node), else a button that applies it (`options.onApply`), else its words;
  // `options.extra(f, i, report)` may add one more node to a finding.
  function listFindings(ol, report, options = {}) {
    ol.textContent = "";
    report.findings.forEach((f, i) => {
      const words = f.spans.map(([s, e]) => report.text.slice(s, e)).join(" … ");
      const li = el("li", {class: f.severity, tabindex: 0, id: options.id ? options.id(i) : null},
        el("strong", {}, f.severity.toUpperCase()), " ",
        f.title ? [el("span", {class: "title"}, f.title), " "] : "", el("code", {}, f.rule_id), " ", f.message,
        words ? ` — “${words}”` : "",
        el("div", {class: "why"}, f.explanation));
      for (const s of f.suggestions) {
        const custom = options.suggestion ? options.suggestion(f, s) : null;
        if (custom) { li.append(custom); continue; }
        if (s.replacement === null || s.replacement === undefined || !options.onApply) {
          li.append(el("div", {class: "why"}, "Fix: " + s.description));
          continue;
        }
        li.append(el("button", {type: "button", class: "fix", onclick: () => options.onApply(f, s, report)}, "Apply: " + s.description));
      }
      const extra = options.extra ? options.extra(f, i, report) : null;  // e.g. "This is wrong"
      if (extra) li.append(extra);
      ol.append(li);
    });
  }

  // The badge for a report: "OK, with notes" when only info findings are left to read.
  function setVerdict(badge, report) {
    const verdict = report.verdict;
    const notes = verdict === "ok" && report.findings.length > 0;
    badge.textContent = notes ? NOTES : (VERDICTS[verdict] || verdict);
    badge.className = "badge " + verdict + (notes ? " notes" : "");
  }

  function over(length) { return !!length.limit && length.count > length.limit; }

  function lengthText(length) {
    const count = length.count.toLocaleString();
    return length.limit ? `${count} / ${length.limit.toLocaleString()} ${length.unit}` : `${count} ${length.unit}`;
  }

  // The text with a suggestion applied: a whole-post replacement (the untagged version),
  // or the words of the finding's first span replaced.
  function applied(text, finding, suggestion) {
    if (!finding.spans.length || suggestion.replacement.length > text.length / 2) return suggestion.replacement;
    const [s, e] = finding.spans[0];
    return text.slice(0, s) + suggestion.replacement + text.slice(e);
  }

  window.tactful.check = {VERDICTS, NOTES, escapeHtml, marksOf, runsOf, highlight, listFindings, setVerdict, over, lengthText, applied};
})();
