// Every <time datetime> that LocalTime renders reads in the viewer's own time zone: its empty .vl-local span gets the
// local time, and the UTC text (still the title, shown on hover) is hidden, for new and changed elements too.
(() => {
  const format = new Intl.DateTimeFormat(undefined, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short',
  });

  const localize = () => {
    for (const time of document.querySelectorAll('time[datetime]')) {
      const local = time.querySelector('.vl-local');
      const iso = time.getAttribute('datetime');
      if (!local || !iso || local.dataset.for === iso) continue;
      const at = new Date(iso);
      if (Number.isNaN(at.getTime())) continue;
      local.textContent = format.format(at);
      local.dataset.for = iso;
      time.classList.add('vl-localized');
    }
  };

  window.vlWatchDom(localize, { attributes: true, attributeFilter: ['datetime'] });
})();
