// What the composer and the schedule page share to show a check: the findings as a list
// with their fixes, the words highlighted behind the text, the verdict and the counter.
"use strict";
(() => {
  const {el} = window.tactful;
  const VERDICTS = {ok: "OK to publish", review: "review before publishing", blocked: "do not publish"};

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

  // The text behind the textarea with <mark>s where the findings are. The only HTML built
  // from data anywhere: every piece of the text is escaped first.
  function highlight(backdrop, text, marks) {
    const sorted = marks.slice().sort((a, b) => a[0] - b[0]);
    let html = "", pos = 0;
    for (const [s, e, cls] of sorted) {
      if (s < pos || e <= s) continue;
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
        el("strong", {}, f.severity.toUpperCase()), " ", el("code", {}, f.rule_id), " ", f.message,
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

  function setVerdict(badge, verdict) {
    badge.textContent = VERDICTS[verdict] || verdict;
    badge.className = "badge " + verdict;
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

  window.tactful.check = {VERDICTS, escapeHtml, marksOf, highlight, listFindings, setVerdict, over, lengthText, applied};
})();
