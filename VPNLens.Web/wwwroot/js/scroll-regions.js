// A table wider than the screen scrolls inside its own box (MudBlazor's .mud-table-container). A box that scrolls must
// be reachable by keyboard and named for screen readers: it gets tabindex, role=region and the nearest heading's text.
(() => {
  const headingBefore = (element) => {
    for (let node = element; node && node !== document.body; node = node.parentElement) {
      for (let sibling = node.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
        const heading = sibling.matches('h1,h2,h3,h4,h5,h6') ? sibling : sibling.querySelector('h1,h2,h3,h4,h5,h6');
        if (heading && heading.textContent.trim()) return heading.textContent.trim();
      }
    }
    return 'Table';
  };

  const mark = () => {
    for (const box of document.querySelectorAll('.mud-table-container')) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.classList.contains('vl-scroll-region')) {
        box.classList.add('vl-scroll-region');
        box.tabIndex = 0;
        box.setAttribute('role', 'region');
        box.setAttribute('aria-label', `${headingBefore(box)} (scrolls sideways)`);
      } else if (!scrolls && box.classList.contains('vl-scroll-region')) {
        box.classList.remove('vl-scroll-region');
        box.removeAttribute('tabindex');
        box.removeAttribute('role');
        box.removeAttribute('aria-label');
      }
    }
  };

  window.vlWatchDom(mark, { resize: true });
})();
