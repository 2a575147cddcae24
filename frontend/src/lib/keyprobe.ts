// The key probe of the production window (scripts/keys-webkit.sh):
// the same measure as the Chromium benchmark (e2e/bench/ui.js), taken in
// the engine users run. Off unless the backend asks for it (LULL_KEY_PROBE).

/** KeySample is one key's time from its keydown to the painted frame that shows the new selection. */
export interface KeySample {
  key: string;
  ms: number;
  /** When the selection changed in the DOM, and when the frame began (requestAnimationFrame), after the keydown. */
  domMs: number;
  rafMs: number;
}

/**
 * installKeyProbe measures each keydown: from the event's timeStamp (when
 * the engine received the input) to the end of the frame that shows the
 * selection on another loaded row (a MutationObserver sees the selected
 * row change, then requestAnimationFrame, then a task posted from it, which
 * runs once that frame is painted). Keys that do not move the selection
 * within 5 s report nothing. It returns the function that removes it.
 */
export function installKeyProbe(report: (s: KeySample) => void, doc: Document = document): () => void {
  const selection = () => {
    const el = doc.querySelector('[data-testid="row"][aria-selected="true"]');
    return el ? `${el.id} ${el.getAttribute('data-id') ?? ''}` : '';
  };
  const loaded = () => !!doc.querySelector('[data-testid="row"][aria-selected="true"][data-id]');
  let stop = () => {};
  const onKey = (e: KeyboardEvent) => {
    stop();
    const now = performance.now();
    // timeStamp is when the input reached the page; guard against an
    // engine that gives it in another time base.
    const t0 = e.timeStamp > 0 && e.timeStamp <= now ? e.timeStamp : now;
    const before = selection();
    let done = false;
    const obs = new MutationObserver(() => {
      if (done || !loaded() || selection() === before) return;
      done = true;
      stop();
      const domMs = performance.now() - t0;
      requestAnimationFrame(() => {
        const rafMs = performance.now() - t0;
        const ch = new MessageChannel();
        ch.port1.onmessage = () => report({ key: e.key, ms: performance.now() - t0, domMs, rafMs });
        ch.port2.postMessage(0);
      });
    });
    const timer = setTimeout(() => stop(), 5000);
    stop = () => {
      obs.disconnect();
      clearTimeout(timer);
    };
    obs.observe(doc.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-selected', 'data-id'] });
  };
  doc.defaultView?.addEventListener('keydown', onKey, true);
  return () => {
    stop();
    doc.defaultView?.removeEventListener('keydown', onKey, true);
  };
}
