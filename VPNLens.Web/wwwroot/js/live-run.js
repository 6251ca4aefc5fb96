// A live run's permalink page, rendered statically and shared by every signed-out reader: it follows the run through
// the run's event stream (GET /r/{token}/events). Each "changed" event names the page's version now; a page that shows
// another one fetches /r/{token}?v={version} (the same address for every reader, so one render serves them all) and
// swaps its live part in place, keeping focus and scroll. When the run ends the page loads again, as the finished page.
(() => {
  const live = document.querySelector('[data-live-run]');
  const announcer = document.getElementById('live-run-announcer');
  if (!live || !window.EventSource || !window.fetch) return;

  let version = live.dataset.liveVersion;
  let queue = Promise.resolve();
  const events = new EventSource(live.dataset.liveEvents);

  const keepFocus = (swap) => {
    const focused = live.contains(document.activeElement) ? document.activeElement : null;
    const key = focused && (focused.id || focused.dataset.testid);
    const { scrollX, scrollY } = window;
    swap();
    window.scrollTo(scrollX, scrollY);
    if (!key) return;
    const again = live.querySelector(`[id="${CSS.escape(key)}"], [data-testid="${CSS.escape(key)}"]`);
    if (again) again.focus({ preventScroll: true });
  };

  const show = async (change) => {
    if (change.terminal) {
      events.close();
      window.location.reload();
      return;
    }
    if (change.version === version) return;
    const response = await fetch(`${window.location.pathname}?v=${encodeURIComponent(change.version)}`, { headers: { Accept: 'text/html' } });
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = page.querySelector('[data-live-run]');
    if (!fresh) {
      // The run ended since: load the finished page itself.
      events.close();
      window.location.reload();
      return;
    }
    keepFocus(() => live.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true))));
    version = fresh.dataset.liveVersion;
    live.dataset.liveVersion = version;
    const status = live.querySelector('[data-testid="live-progress"]');
    if (announcer && status) announcer.textContent = status.textContent.replace(/\s+/g, ' ').trim();
  };

  events.addEventListener('changed', (message) => {
    const change = JSON.parse(message.data);
    queue = queue.then(() => show(change)).catch(() => {});
  });
})();
