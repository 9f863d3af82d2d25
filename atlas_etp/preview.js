// Live preview (atlas-etp serve): reload when the edition is rebuilt, show its problems meanwhile.
// The server injects this into every page it serves, after setting window.ATLAS_ETP_PREVIEW to
// {version, events}: the version of the text this page shows, and the event stream to listen to.
(() => {
  const { version, events } = window.ATLAS_ETP_PREVIEW;
  const SCROLL_KEY = "atlas-etp-preview-place:" + location.pathname;

  // Where the writer is reading: the last element with an ID whose top is above the window's top,
  // and how far above. A reload puts that element back in the same place (a pixel offset would
  // drift when the text above changes, and parts not yet shown have only an estimated height).
  function place() {
    let found = null;
    for (const element of document.querySelectorAll("main [id]")) {
      if (element.getBoundingClientRect().top > 1) break;
      found = element;
    }
    return found ? { id: found.id, top: found.getBoundingClientRect().top } : { id: "", top: -window.scrollY };
  }

  function restore(saved) {
    const element = saved.id && document.getElementById(saved.id);
    if (element) element.scrollIntoView();
    else window.scrollTo(0, 0);
    window.scrollBy(0, -saved.top);
  }

  const saved = sessionStorage.getItem(SCROLL_KEY);
  if (saved !== null) {
    sessionStorage.removeItem(SCROLL_KEY);
    const back = () => restore(JSON.parse(saved));
    document.readyState === "complete" ? back() : window.addEventListener("load", back, { once: true });
  }

  // The overlay lives in a shadow root, so that neither the guide's styles nor its search touch it.
  const host = document.createElement("div");
  host.id = "atlas-etp-preview";
  const shadow = host.attachShadow({ mode: "open" });
  shadow.innerHTML = `<style>
    :host { all: initial; }
    .panel { position: fixed; inset: auto 1rem 1rem 1rem; max-height: 70vh; overflow: auto; z-index: 2147483647;
             background: #fff8f6; color: #3b0a00; border: 3px solid #b3261e; border-radius: 6px;
             box-shadow: 0 4px 24px rgb(0 0 0 / 35%); padding: 1rem 1.25rem; font: 15px/1.45 system-ui, sans-serif; }
    h2 { margin: 0 0 .5rem; font-size: 17px; color: #b3261e; }
    p { margin: 0 0 .75rem; }
    pre { margin: 0 0 .75rem; padding: .5rem .75rem; background: #fff; border-left: 4px solid #b3261e;
          white-space: pre-wrap; font: 14px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
    .lost { border-color: #6b5e00; background: #fffbe6; color: #2e2700; }
  </style><div class="panel" role="alert" hidden></div>`;
  const panel = shadow.querySelector(".panel");

  function show(title, note, problems, lost = false) {
    panel.replaceChildren();
    const heading = document.createElement("h2");
    heading.textContent = title;
    const text = document.createElement("p");
    text.textContent = note;
    panel.append(heading, text);
    for (const problem of problems) {
      const pre = document.createElement("pre");
      pre.dataset.where = problem.where;
      pre.textContent = problem.text;
      panel.append(pre);
    }
    panel.classList.toggle("lost", lost);
    panel.hidden = false;
    if (!host.isConnected) document.body.append(host);
  }

  function hide() {
    panel.hidden = true;
  }

  const stream = new EventSource(events);
  stream.onmessage = (event) => {
    const state = JSON.parse(event.data);
    if (state.problems.length > 0) {
      const count = state.problems.length === 1 ? "1 problem" : `${state.problems.length} problems`;
      show(`atlas-etp: ${count}`,
           "The page shows the text as it was before. Fix the file and save: this note goes away by itself.",
           state.problems);
    } else if (state.version !== version) {
      sessionStorage.setItem(SCROLL_KEY, JSON.stringify(place()));
      location.reload();
    } else {
      hide();
    }
  };
  stream.onerror = () => {
    if (stream.readyState === EventSource.CLOSED || stream.readyState === EventSource.CONNECTING) {
      show("atlas-etp: preview stopped",
           "The preview server is not answering (was it stopped?). Start `atlas-etp serve` again; this page "
           + "reconnects by itself.", [], true);
    }
  };
  stream.onopen = () => hide();
})();
