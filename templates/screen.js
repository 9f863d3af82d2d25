// Screen HTML only (inlined by publish.screen_script): the contents sidebar and in-page search.
// Progressive enhancement: without JavaScript the contents are a plain list of links (the sidebar
// itself is CSS) and there is no search box. No network, no storage: the file runs from file://.
"use strict";
(() => {
  const toc = document.querySelector("nav.toc");
  const main = document.querySelector("main");
  if (!toc || !main) return; // the test sheets and the diff report have no contents

  // The parts a result can point to; each has an id and a title.
  const PARTS = "article.session, section.chapter, section.module";
  const TITLE = ":scope > .session-title, :scope > .chapter-title, :scope > .module-title";
  // Only the Latin combining accents are dropped (persecucion finds persecución). Thai vowels and
  // tone marks are combining marks too, but dropping them would turn one word into another.
  const ACCENTS = /[\u0300-\u036f]/g;
  const MIN_QUERY = 2;
  const DEBOUNCE_MS = 150;
  const SNIPPET_BEFORE = 40;
  const SNIPPET_AFTER = 70;
  const MAX_HIGHLIGHTS = 2000;

  const lang = document.documentElement.lang || "en";
  // Labels come translated from the template (data-* attributes of the contents).
  const text = {
    label: toc.dataset.searchLabel,
    placeholder: toc.dataset.searchPlaceholder,
    none: toc.dataset.noResults,
    one: toc.dataset.resultsOne,
    many: toc.dataset.results,
  };
  // A Thai edition may print Thai digits (๑๒๓); counts follow what the contents use.
  const thaiDigits = /[\u0e50-\u0e59]/.test(toc.textContent);
  const numbers = new Intl.NumberFormat(thaiDigits ? `${lang}-u-nu-thai` : lang);
  const plurals = new Intl.PluralRules(lang);

  /** Case- and accent-insensitive form of `s`, the same for the text and the query. */
  const fold = (s) => s.normalize("NFD").replace(ACCENTS, "").toLowerCase();
  const collapse = (s) => s.replace(/\s+/g, " ");
  const matches = (count) =>
    (text.one && plurals.select(count) === "one" ? text.one : text.many).replace("{count}", numbers.format(count));
  const target = (link) => document.getElementById(link.getAttribute("href").slice(1));

  /** Text nodes of a part, without those of the parts inside it (a module's sessions). */
  function textNodes(part) {
    const nodes = [];
    const walker = document.createTreeWalker(part, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => (node !== part && node.nodeType === Node.ELEMENT_NODE && node.matches(PARTS)
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE) nodes.push(node);
    }
    return nodes;
  }

  // Built once, on first use: a few hundred pages take tens of milliseconds, and every search after
  // that is a plain indexOf over each part's folded text (right for Thai, which has no spaces).
  let index = null;
  function getIndex() {
    if (index) return index;
    index = Array.from(main.querySelectorAll(PARTS), (part) => {
      const raw = part.querySelector(PARTS) ? textNodes(part).map((node) => node.data).join("") : part.textContent;
      const plain = collapse(raw);
      const folded = fold(plain);
      const heading = part.querySelector(TITLE);
      const title = collapse(heading ? heading.textContent : part.id).trim();
      const foldedTitle = fold(title);
      const titleAt = folded.indexOf(foldedTitle);
      // Folding almost always keeps the length; then the snippet can show the text as written.
      return { part, plain, folded, title, aligned: folded.length === plain.length,
        bodyFrom: titleAt === -1 ? 0 : titleAt + foldedTitle.length };
    });
    return index;
  }

  /** Every part that contains `query`, in the order of the guide, with its count of matches. */
  function search(query) {
    const needle = fold(collapse(query.trim()));
    if (needle.length < MIN_QUERY) return null;
    const hits = [];
    let total = 0;
    for (const entry of getIndex()) {
      let count = 0;
      let first = -1; // the snippet shows the first match after the title, if there is one
      for (let at = entry.folded.indexOf(needle); at !== -1; at = entry.folded.indexOf(needle, at + needle.length)) {
        if (first === -1 || (first < entry.bodyFrom && at >= entry.bodyFrom)) first = at;
        count += 1;
      }
      if (count) hits.push({ entry, count, first });
      total += count;
    }
    return { needle, hits, total };
  }

  /** A few words around the first match, the match marked; never cut inside a Thai cluster. */
  function snippet(hit, length) {
    const source = hit.entry.aligned ? hit.entry.plain : hit.entry.folded;
    let start = Math.max(0, hit.first - SNIPPET_BEFORE);
    let end = Math.min(source.length, hit.first + length + SNIPPET_AFTER);
    const space = source.indexOf(" ", start);
    if (start > 0 && space !== -1 && space < hit.first) start = space + 1;
    while (start > 0 && /\p{M}/u.test(source[start])) start -= 1;
    while (end < source.length && /\p{M}/u.test(source[end])) end += 1;
    const element = document.createElement("span");
    element.className = "search-snippet";
    const mark = document.createElement("mark");
    mark.textContent = source.slice(hit.first, hit.first + length);
    element.append((start > 0 ? "…" : "") + source.slice(start, hit.first), mark,
      source.slice(hit.first + length, end) + (end < source.length ? "…" : ""));
    return element;
  }

  // The search box, at the top of the contents.
  const box = document.createElement("div");
  box.className = "search";
  box.setAttribute("role", "search");
  const label = document.createElement("label");
  label.htmlFor = "search";
  label.textContent = text.label;
  const input = document.createElement("input");
  Object.assign(input, { type: "search", id: "search", placeholder: text.placeholder, autocomplete: "off", spellcheck: false });
  input.setAttribute("aria-describedby", "search-status");
  // The count is announced (a polite live region); the list of links is read when the user goes there.
  const status = document.createElement("p");
  Object.assign(status, { id: "search-status", className: "search-status" });
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  const list = document.createElement("ol");
  list.className = "search-results";
  box.append(label, input, status, list);
  toc.prepend(box);

  let shown = null; // the search whose results are listed

  function show(result) {
    shown = result;
    list.replaceChildren();
    toc.classList.toggle("searching", Boolean(result));
    if (!result) {
      status.textContent = "";
      clearHighlight();
      return;
    }
    status.textContent = result.total ? matches(result.total) : text.none;
    for (const hit of result.hits) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.className = "search-hit";
      link.href = `#${hit.entry.part.id}`;
      link.textContent = hit.entry.title;
      const count = document.createElement("span");
      count.className = "search-count";
      count.textContent = ` (${matches(hit.count)})`;
      item.append(link, count, snippet(hit, result.needle.length));
      list.append(item);
    }
  }

  /** Marks every match inside `part` (CSS Custom Highlight API; nothing where it is missing). */
  function highlight(part, needle) {
    if (!(window.CSS && CSS.highlights && typeof Highlight === "function")) return null;
    // Folded text of the part with, for each character, the text node and offsets it came from.
    let folded = "";
    const from = [];
    for (const node of textNodes(part)) {
      let offset = 0;
      for (const char of node.data) {
        const next = offset + char.length;
        if (/\s/.test(char)) {
          if (!folded.endsWith(" ")) { folded += " "; from.push([node, offset, next]); }
        } else {
          const units = fold(char);
          folded += units;
          for (let i = 0; i < units.length; i += 1) from.push([node, offset, next]);
        }
        offset = next;
      }
    }
    const ranges = [];
    for (let at = folded.indexOf(needle); at !== -1 && ranges.length < MAX_HIGHLIGHTS;
      at = folded.indexOf(needle, at + needle.length)) {
      const [startNode, startOffset] = from[at];
      const [endNode, , endOffset] = from[at + needle.length - 1];
      const range = new Range();
      range.setStart(startNode, startOffset);
      range.setEnd(endNode, endOffset);
      ranges.push(range);
    }
    CSS.highlights.set("search", new Highlight(...ranges));
    return ranges[0] || null;
  }

  function clearHighlight() {
    if (window.CSS && CSS.highlights) CSS.highlights.delete("search");
  }

  // After the link has moved to the part: mark the matches there and bring the first into view.
  list.addEventListener("click", (event) => {
    const link = event.target.closest("a.search-hit");
    if (!link || !shown) return;
    const part = target(link);
    const needle = shown.needle;
    setTimeout(() => {
      const first = highlight(part, needle);
      const rect = first && first.getBoundingClientRect();
      if (rect && (rect.top < 0 || rect.bottom > window.innerHeight)) {
        first.startContainer.parentElement.scrollIntoView({ block: "center" });
      }
    });
  });

  let timer = 0;
  function update() {
    clearTimeout(timer);
    show(search(input.value));
  }
  input.addEventListener("focus", getIndex, { once: true });
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      update();
      const first = list.querySelector("a.search-hit");
      if (first) first.click();
    } else if (event.key === "Escape" && input.value) {
      event.preventDefault();
      input.value = "";
      update();
    }
  });

  // The contents entry of the part on screen is marked (aria-current) and kept in view.
  if ("IntersectionObserver" in window) {
    const entries = new Map();
    for (const link of toc.querySelectorAll('a[href^="#"]')) {
      if (target(link)) entries.set(target(link), link);
    }
    const onScreen = new Set();
    let current = null;
    const observer = new IntersectionObserver((changes) => {
      for (const change of changes) {
        if (change.isIntersecting) onScreen.add(change.target); else onScreen.delete(change.target);
      }
      // Of the parts in the band, the last in the guide: a session rather than its module.
      let last = null;
      for (const part of onScreen) {
        if (!last || last.compareDocumentPosition(part) & Node.DOCUMENT_POSITION_FOLLOWING) last = part;
      }
      const link = last ? entries.get(last) : null;
      if (link === current) return;
      if (current) current.removeAttribute("aria-current");
      current = link;
      if (!link) return;
      link.setAttribute("aria-current", "location");
      if (!shown && toc.scrollHeight > toc.clientHeight) {
        const where = link.getBoundingClientRect();
        const frame = toc.getBoundingClientRect();
        if (where.top < frame.top + box.offsetHeight || where.bottom > frame.bottom) {
          toc.scrollTop += where.top - frame.top - frame.height / 3;
        }
      }
    }, { rootMargin: "0px 0px -75% 0px" });
    for (const target of entries.keys()) observer.observe(target);
  }
})();
