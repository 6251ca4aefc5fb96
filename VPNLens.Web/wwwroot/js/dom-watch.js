// vlWatchDom(update, options): runs update once the page is there, then at most once a frame after the DOM changes
// (options: extra MutationObserver options, and resize: true to run it on window resizes too). Pages update live.
window.vlWatchDom = (update, { resize = false, ...observe } = {}) => {
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; update(); });
  };

  const start = () => {
    update();
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true, ...observe });
    if (resize) window.addEventListener('resize', schedule);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
};
