// zhili web page: search with facets, a document view and side-by-side comparison.
// No build step and no third-party code. All state lives in the URL (?q=…&region=…&measure=…
// &year_from=…&year_to=…&page=…&sort=…, ?doc=ID, ?compare=A,B&empty=1) so every view can be
// shared and the back button works. Document text is only ever inserted with textContent;
// snippets arrive as escaped HTML with <mark>, and are rebuilt as DOM nodes, never parsed.
'use strict';

(function () {
  const MAX_PICKS = 6;
  const AXES = ['region', 'measure', 'year'];
  const AXIS_NAMES = { region: '地区', measure: '措施类型', year: '年份' };
  const PER_PAGE = 10;
  const taxonomy = { groups: [], measures: new Map(), loaded: false };
  let renderToken = 0;
  let refocus = null; // measure checkbox to focus again after the facets are redrawn

  // ---------- small DOM helpers ----------
  const $ = (id) => document.getElementById(id);

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'text') node.textContent = value;
      else if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else if (key in node && key !== 'list') node[key] = value;
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  // A snippet's runs from the server (`snippet_spans`, `passage_spans`): text and <mark>s.
  function spanned(spans, tag) {
    return el(tag || 'p', { class: 'snippet' },
      spans.map((s) => (s.mark ? el('mark', { text: s.text }) : s.text)));
  }

  function regionText(region) {
    if (!region || !region.path) return '地区不详';
    return [region.province, region.city, region.county].filter(Boolean).join(' ');
  }

  function measureLabel(id) {
    const m = taxonomy.measures.get(id);
    return m ? m.label : id;
  }

  // Measure chips, most prominent first; `limit` cuts long lists to "… 等 N 类".
  function chips(ids, limit) {
    const all = ids || [];
    const shown = limit && all.length > limit + 1 ? all.slice(0, limit) : all;
    const more = all.length - shown.length;
    return el('ul', { class: 'chips', 'aria-label': '措施类型' },
      shown.map((id) => el('li', { class: 'chip', title: id, text: measureLabel(id) })),
      more ? el('li', { class: 'chip more', title: all.slice(shown.length).map(measureLabel).join('、'), text: '等 ' + all.length + ' 类' }) : null);
  }

  function safeUrl(url) {
    return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : null;
  }

  // ---------- URL state ----------
  function readState() {
    const p = new URLSearchParams(location.search);
    const num = (name) => { const v = parseInt(p.get(name) || '', 10); return Number.isFinite(v) ? v : null; };
    return {
      q: p.get('q') || '',
      region: (p.get('region') || '').replace(/^\/+|\/+$/g, ''),
      measures: p.getAll('measure').filter(Boolean),
      year_from: num('year_from'),
      year_to: num('year_to'),
      page: Math.max(1, num('page') || 1),
      sort: ['year', 'added'].includes(p.get('sort')) ? p.get('sort') : 'relevance',
      doc: p.get('doc') || '',
      compare: (p.get('compare') || '').split(',').map((s) => s.trim()).filter(Boolean),
      empty: p.get('empty') === '1',
      view: ['pivot', 'precedents'].includes(p.get('view')) ? p.get('view') : '',
      rows: AXES.includes(p.get('rows')) ? p.get('rows') : 'region',
      cols: AXES.includes(p.get('cols')) ? p.get('cols') : 'measure',
    };
  }

  function searchParams(s) {
    const p = new URLSearchParams();
    if (s.q) p.set('q', s.q);
    if (s.region) p.set('region', s.region);
    for (const m of s.measures) p.append('measure', m);
    if (s.year_from !== null) p.set('year_from', s.year_from);
    if (s.year_to !== null) p.set('year_to', s.year_to);
    if (s.sort !== 'relevance') p.set('sort', s.sort);
    if (s.page > 1) p.set('page', s.page);
    return p;
  }

  function pageUrl(s) {
    const p = searchParams(s);
    if (s.view) p.set('view', s.view);
    if (s.view === 'pivot') { p.set('rows', s.rows); p.set('cols', s.cols); }
    if (s.doc) p.set('doc', s.doc);
    if (s.compare.length) p.set('compare', s.compare.join(','));
    if (s.compare.length && s.empty) p.set('empty', '1');
    const query = p.toString();
    return '/' + (query ? '?' + query : '');
  }

  function withState(changes) {
    return Object.assign(readState(), { doc: '', compare: [], empty: false }, changes);
  }

  function go(s, replace) {
    const url = pageUrl(s);
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    render();
  }

  // A link that navigates inside the page (and still works as a normal link: new tab, copy).
  function link(s, props, ...children) {
    const href = pageUrl(s);
    return el('a', Object.assign({ href, onclick: (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      go(s);
      window.scrollTo(0, 0);
    } }, props), ...children);
  }

  // ---------- API ----------
  async function api(path) {
    const response = await fetch(path, { headers: { Accept: 'application/json' } });
    let body = null;
    try { body = await response.json(); } catch (_) { body = null; }
    if (!response.ok) throw new Error((body && body.error) || '请求失败（HTTP ' + response.status + '）');
    return body;
  }

  async function loadTaxonomy() {
    if (taxonomy.loaded) return;
    const body = await api('/api/measures');
    taxonomy.groups = body.groups || [];
    for (const m of body.measures || []) taxonomy.measures.set(m.id, m);
    taxonomy.loaded = true;
  }

  // ---------- compare picks (kept for the session) ----------
  function picks() {
    try { return JSON.parse(sessionStorage.getItem('zhili-picks') || '[]'); } catch (_) { return []; }
  }

  function setPicks(list) {
    try { sessionStorage.setItem('zhili-picks', JSON.stringify(list.slice(0, MAX_PICKS))); } catch (_) { /* private mode */ }
    updateCompareBar();
  }

  function togglePick(id, title, on) {
    const list = picks().filter((p) => p.id !== id);
    if (on && list.length < MAX_PICKS) list.push({ id, title });
    setPicks(list);
  }

  function updateCompareBar() {
    const list = picks();
    const bar = $('compare-bar');
    bar.hidden = list.length === 0 || document.body.dataset.view === 'compare';
    $('pick-count').textContent = String(list.length);
    $('pick-titles').textContent = list.map((p) => '《' + p.title + '》').join(' ');
    $('compare-go').disabled = list.length < 2;
    for (const box of document.querySelectorAll('input.pick-box')) {
      box.checked = list.some((p) => p.id === box.dataset.id);
      box.disabled = !box.checked && list.length >= MAX_PICKS;
    }
  }

  function pickBox(id, title) {
    const box = el('input', { type: 'checkbox', class: 'pick-box', 'data-id': id,
      onchange: (e) => togglePick(id, title, e.target.checked) });
    return el('label', { class: 'pick' }, box, '加入对比');
  }

  // ---------- rendering ----------
  function setStatus(text, isError) {
    const status = $('status');
    status.textContent = text || '';
    status.className = isError ? 'error' : '';
  }

  async function render() {
    const token = ++renderToken;
    const s = readState();
    $('q').value = s.q;
    $('sort').value = s.sort;
    const view = s.compare.length ? 'compare' : s.doc ? 'doc' : s.view || 'search';
    document.body.dataset.view = view;
    document.body.dataset.ready = '0';
    updateCompareBar();
    setStatus('正在加载…');
    try {
      await loadTaxonomy();
      const views = { compare: compareView, doc: docView, pivot: pivotView, precedents: precedentsView, search: searchView };
      const draw = await views[view](s);
      if (token !== renderToken) return;
      draw();
    } catch (err) {
      if (token !== renderToken) return;
      $('view').replaceChildren(el('p', { class: 'empty' }, link(withState({ q: '' }), { text: '回到首页' })));
      setStatus(err.message || String(err), true);
    }
    if (token === renderToken) {
      document.body.dataset.ready = '1';
      updateCompareBar();
    }
  }

  function init() {
    $('search-form').addEventListener('submit', (e) => {
      e.preventDefault();
      go(withState({ q: $('q').value.trim(), sort: $('sort').value, page: 1 }));
    });
    $('sort').addEventListener('change', () => {
      if (['search', 'precedents'].includes(document.body.dataset.view)) go(withState({ sort: $('sort').value, page: 1 }));
    });
    $('year-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const year = (id) => { const v = parseInt($(id).value, 10); return Number.isFinite(v) ? v : null; };
      let from = year('year-from');
      let to = year('year-to');
      if (from !== null && to !== null && from > to) [from, to] = [to, from];
      go(withState({ year_from: from, year_to: to, page: 1 }));
    });
    $('year-clear').addEventListener('click', () => go(withState({ year_from: null, year_to: null, page: 1 })));
    $('compare-go').addEventListener('click', () => {
      const ids = picks().map((p) => p.id);
      if (ids.length >= 2) { go(Object.assign(readState(), { doc: '', compare: ids })); window.scrollTo(0, 0); }
    });
    $('pick-clear').addEventListener('click', () => setPicks([]));
    $('facet-toggle').addEventListener('click', () => {
      const open = document.body.classList.toggle('facets-open');
      $('facet-toggle').setAttribute('aria-expanded', String(open));
    });
    document.addEventListener('keydown', (e) => {
      const typing = /^(INPUT|TEXTAREA|SELECT)$/.test((e.target && e.target.tagName) || '');
      if (e.key === '/' && !typing) { e.preventDefault(); $('q').focus(); $('q').select(); }
    });
    window.addEventListener('popstate', render);
    render();
  }

  // ---------- search view ----------
  // Region facet values may be a child's name or its full path: return the full path.
  function childPath(selected, value) {
    if (value.includes('/') || !selected) return value;
    return selected + '/' + value;
  }

  function regionFacet(s, buckets, unknown) {
    const crumbs = [link(withState({ region: '', page: 1 }), { text: '全国', class: s.region ? '' : 'current' })];
    const parts = s.region ? s.region.split('/') : [];
    parts.forEach((name, i) => {
      const path = parts.slice(0, i + 1).join('/');
      crumbs.push(el('span', { class: 'sep', 'aria-hidden': 'true', text: '›' }));
      crumbs.push(link(withState({ region: path, page: 1 }),
        { text: name, class: i === parts.length - 1 ? 'current' : '', 'aria-current': i === parts.length - 1 ? 'location' : null }));
    });
    $('region-crumbs').replaceChildren(...crumbs);
    const items = buckets.map((b) => {
      const path = childPath(s.region, String(b.value));
      const name = path.split('/').pop();
      return el('li', {}, link(withState({ region: path, page: 1 }), { class: 'region-item' },
        el('span', { text: name }), el('span', { class: 'count', text: String(b.count) })));
    });
    if (!items.length) items.push(el('li', { class: 'muted', text: s.region ? '没有更细的地区' : '暂无地区信息' }));
    // Documents that do not say where they are from (not a filter: a count beside the list).
    if (unknown && !s.region) {
      items.push(el('li', { class: 'region-item unknown muted' },
        el('span', { text: '地区不详' }), el('span', { class: 'count', text: String(unknown) })));
    }
    $('region-list').replaceChildren(...items);
  }

  function measureFacet(s, buckets) {
    const counts = new Map(buckets.map((b) => [b.value, b.count]));
    const groups = taxonomy.groups.map((g) => {
      const measures = [...taxonomy.measures.values()].filter((m) => m.group === g.id);
      return el('fieldset', { class: 'measure-group' }, el('legend', { text: g.label }),
        measures.map((m) => {
          const count = counts.get(m.id) || 0;
          const checked = s.measures.includes(m.id);
          const box = el('input', { type: 'checkbox', value: m.id, checked, onchange: (e) => {
            const next = s.measures.filter((id) => id !== m.id);
            if (e.target.checked) next.push(m.id);
            refocus = m.id;
            go(withState({ measures: next, page: 1 }));
          } });
          return el('label', { class: 'measure-item' + (count ? '' : ' zero'), title: m.scope || '' },
            box, el('span', { text: m.label }), el('span', { class: 'count', text: String(count) }));
        }));
    });
    $('measure-list').replaceChildren(...groups);
    if (refocus) {
      const box = $('measure-list').querySelector('input[value="' + CSS.escape(refocus) + '"]');
      if (box) box.focus();
      refocus = null;
    }
  }

  function fill(pct) {
    const node = el('span', { class: 'fill' });
    node.style.height = pct + '%';
    return node;
  }

  function yearFacet(s, buckets, unknown) {
    const years = buckets.filter((b) => b.value !== null).sort((a, b) => a.value - b.value);
    const max = Math.max(1, ...years.map((b) => b.count));
    const bars = years.map((b) => {
      const inRange = (s.year_from === null || b.value >= s.year_from) && (s.year_to === null || b.value <= s.year_to);
      const pct = Math.max(6, Math.round((b.count / max) * 100));
      return el('button', { type: 'button', class: 'bar' + (inRange ? ' on' : ''),
        title: b.value + ' 年：' + b.count + ' 篇', 'aria-label': b.value + ' 年，' + b.count + ' 篇',
        onclick: () => go(withState({ year_from: b.value, year_to: b.value, page: 1 })) },
      fill(pct), el('span', { class: 'yr', text: years.length <= 6 ? String(b.value) : "'" + String(b.value).slice(2) }));
    });
    $('year-hist').replaceChildren(...(bars.length ? bars : [el('p', { class: 'muted', text: '暂无年份信息' })]));
    const noYear = $('year-unknown');
    if (noYear) noYear.textContent = unknown && s.year_from === null && s.year_to === null ? '年份不详：' + unknown + ' 篇' : '';
    $('year-from').value = s.year_from === null ? '' : s.year_from;
    $('year-to').value = s.year_to === null ? '' : s.year_to;
    if (years.length) {
      $('year-from').placeholder = String(years[0].value);
      $('year-to').placeholder = String(years[years.length - 1].value);
    }
  }

  function activeFilters(s) {
    const items = [];
    const remove = (label, changes) => items.push(link(withState(Object.assign({ page: 1 }, changes)),
      { class: 'filter', title: '去掉这个条件' }, label, el('span', { 'aria-hidden': 'true', text: ' ×' })));
    if (s.region) remove('地区：' + s.region.split('/').join(' '), { region: '' });
    for (const m of s.measures) remove('措施：' + measureLabel(m), { measures: s.measures.filter((x) => x !== m) });
    if (s.year_from !== null || s.year_to !== null) {
      remove('年份：' + (s.year_from === null ? '…' : s.year_from) + '–' + (s.year_to === null ? '…' : s.year_to),
        { year_from: null, year_to: null });
    }
    return items.length ? el('div', { class: 'filters', 'aria-label': '当前筛选条件' }, items) : null;
  }

  function hitItem(s, hit) {
    const year = hit.year ? hit.year + ' 年' : '年份不详';
    return el('li', { class: 'hit' },
      el('div', { class: 'hit-head' },
        el('h3', {}, link(withState({ doc: hit.id, page: s.page }), { text: hit.title || '（无标题）' })),
        pickBox(hit.id, hit.title)),
      el('p', { class: 'meta' }, el('span', { class: 'region', text: regionText(hit.region) }), ' · ',
        el('span', { class: 'year', text: year }),
        s.sort === 'added' && hit.added ? el('span', { class: 'added', text: ' · 收录于 ' + addedDay(hit.added) }) : null),
      chips(hit.measures, 5),
      (hit.snippet_spans || []).length ? spanned(hit.snippet_spans) : null,
      versionList(hit.versions, 'versions muted', '其他版本：'));
  }

  // Other versions of a text (folded into the newest): "其他版本：《…》（2016 年）".
  function versionList(versions, cls, lead) {
    if (!(versions || []).length) return null;
    return el('p', { class: cls }, lead, versions.map((v, i) => [i ? '；' : '',
      link(withState({ doc: v.id }), { text: v.title || '（无标题）' }), v.year ? '（' + v.year + ' 年）' : '（年份不详）']));
  }

  // "2026-12-02T13:35:00Z" → "2026-12-02".
  function addedDay(added) {
    return added ? String(added).slice(0, 10) : '';
  }

  function pagination(s, total, perPage) {
    const pages = Math.min(Math.ceil(total / perPage), Math.floor(10000 / perPage));
    if (pages <= 1) return null;
    const items = [];
    const add = (page, label, props) => items.push(page === s.page || page < 1 || page > pages
      ? el('span', Object.assign({ class: 'page-off', text: label }, props))
      : link(withState({ page }), Object.assign({ text: label, class: 'page' }, props)));
    add(s.page - 1, '上一页', { rel: 'prev' });
    const from = Math.max(1, s.page - 3);
    const to = Math.min(pages, s.page + 3);
    for (let p = from; p <= to; p++) add(p, String(p), p === s.page ? { 'aria-current': 'page', class: 'page-off current' } : {});
    add(s.page + 1, '下一页', { rel: 'next' });
    return el('nav', { class: 'pagination', 'aria-label': '分页' }, items);
  }

  function drawFacets(s, facets) {
    regionFacet(s, facets.region || [], facets.region_unknown || 0);
    measureFacet(s, facets.measure || []);
    yearFacet(s, facets.year || [], facets.year_unknown || 0);
  }

  // The three ways to look at one search: the list, the overview and the precedents.
  function viewTabs(s) {
    const tabs = [['', '案例列表'], ['pivot', '总览（交叉统计）'], ['precedents', '各地先例']];
    return el('nav', { class: 'view-tabs', 'aria-label': '查看方式' }, tabs.map(([view, label]) => (view === s.view
      ? el('span', { class: 'tab current', 'aria-current': 'page', text: label })
      : link(withState({ view, page: 1 }), { class: 'tab', text: label }))));
  }

  async function searchView(s) {
    const params = searchParams(s);
    params.set('per_page', String(PER_PAGE));
    const body = await api('/api/search?' + params.toString());
    return () => {
      document.title = (s.q ? s.q + ' - ' : '') + '治理案例检索';
      drawFacets(s, body.facets);
      const took = Number(body.took_ms || 0).toFixed(1);
      const first = (body.page - 1) * body.per_page + 1;
      setStatus(body.total
        ? '共 ' + body.total + ' 篇案例，第 ' + first + '–' + (first + body.hits.length - 1) + ' 篇（用时 ' + took + ' 毫秒）'
        : '没有找到符合条件的案例（用时 ' + took + ' 毫秒）。可以减少检索词或去掉筛选条件。');
      const exportLinks = el('p', { class: 'exports' }, '导出全部结果：',
        [['csv', 'CSV'], ['md', 'Markdown'], ['docx', 'Word'], ['ndjson', 'NDJSON']].map(([f, name]) => {
          const p = searchParams(Object.assign({}, s, { page: 1 }));
          p.set('format', f);
          return el('a', { href: '/api/export?' + p.toString(), download: '', text: name });
        }),
        ' · ', el('a', { class: 'feed', href: '/api/feed?' + searchParams(Object.assign({}, s, { page: 1, sort: 'relevance' })).toString(),
          type: 'application/atom+xml', text: '订阅新收录（Atom）' }));
      const items = body.hits.map((h, i) => Object.assign(hitItem(s, h), { value: first + i }));
      const relaxed = body.relaxed || [];
      if (relaxed.length) {
        // The hits holding every word come first; say where the others begin.
        const at = Math.max(0, Math.min(items.length, (body.complete || 0) - (first - 1)));
        if (at < items.length) {
          items.splice(at, 0, el('li', { class: 'relaxed-note', role: 'note',
            text: '以下结果未包含：' + relaxed.join('、') }));
        }
      }
      $('view').replaceChildren(...[viewTabs(s), activeFilters(s),
        el('ol', { class: 'results', start: String(first) }, items),
        pagination(s, body.total, body.per_page || PER_PAGE), body.total ? exportLinks : null].filter(Boolean));
    };
  }

  // ---------- overview (pivot) ----------
  // The filters a pivot row or column stands for (null: a value the search cannot filter on).
  function axisFilter(s, axis, value) {
    if (axis === 'region') return { region: String(value) };
    if (axis === 'measure') return { measures: s.measures.includes(value) ? s.measures : s.measures.concat([value]) };
    return { year_from: value, year_to: value };
  }

  function axisSelect(s, name, label) {
    return el('label', { class: 'axis' }, label + ' ',
      el('select', { name, onchange: (e) => {
        const other = name === 'rows' ? 'cols' : 'rows';
        const next = { [name]: e.target.value };
        if (s[other] === e.target.value) next[other] = s[name];
        go(withState(next));
      } }, AXES.map((a) => el('option', { value: a, selected: s[name] === a, text: AXIS_NAMES[a] }))));
  }

  function pivotTable(s, body) {
    const max = Math.max(1, ...body.cells.flat());
    const heat = (n) => {
      const node = el('td', { class: 'heat' + (n ? '' : ' zero') + (n / max > 0.5 ? ' hot' : '') });
      node.style.setProperty('--heat', n ? (0.12 + 0.88 * n / max).toFixed(2) : '0');
      return node;
    };
    const cellLink = (n, filters) => {
      const td = heat(n);
      if (n) td.appendChild(link(withState(Object.assign({ view: '', page: 1 }, filters)), { text: String(n), title: n + ' 篇，点击查看' }));
      else td.textContent = '·';
      return td;
    };
    const unknownCell = (n) => Object.assign(heat(n), { textContent: n ? String(n) : '·', title: '没有这一项信息的案例' });
    const rowHead = (r) => {
      // A region row drills down in the overview; other rows open the filtered list.
      const target = body.row_axis === 'region'
        ? withState({ region: String(r.value) })
        : withState(Object.assign({ view: '', page: 1 }, axisFilter(s, body.row_axis, r.value)));
      return el('th', { scope: 'row' }, link(target, { text: r.label }), el('span', { class: 'count', text: String(r.count) }));
    };
    const head = el('tr', {}, el('th', { scope: 'col', class: 'corner', text: AXIS_NAMES[body.row_axis] + ' × ' + AXIS_NAMES[body.col_axis] }),
      body.cols.map((c) => el('th', { scope: 'col' },
        link(withState(Object.assign({ view: '', page: 1 }, axisFilter(s, body.col_axis, c.value))), { text: c.label }),
        el('span', { class: 'count', text: String(c.count) }))),
      body.unknown.cols ? el('th', { scope: 'col', class: 'unknown', text: unknownName(body.col_axis) }) : null);
    const rows = body.rows.map((r, i) => el('tr', {}, rowHead(r),
      body.cols.map((c, j) => cellLink(body.cells[i][j],
        Object.assign({}, axisFilter(s, body.row_axis, r.value), axisFilter(s, body.col_axis, c.value)))),
      body.unknown.cols ? unknownCell(body.unknown.col_cells[i]) : null));
    if (body.unknown.rows) {
      rows.push(el('tr', { class: 'unknown-row' }, el('th', { scope: 'row', class: 'unknown' }, unknownName(body.row_axis),
        el('span', { class: 'count', text: String(body.unknown.rows) })),
      body.unknown.row_cells.map(unknownCell), body.unknown.cols ? unknownCell(body.unknown.both) : null));
    }
    return el('div', { class: 'table-wrap', tabIndex: 0, 'aria-label': '交叉统计表（可横向滚动）' },
      el('table', { class: 'pivot' }, el('thead', {}, head), el('tbody', {}, rows)));
  }

  function unknownName(axis) {
    return { region: '地区不详', measure: '未标注措施', year: '年份不详' }[axis];
  }

  async function facetsFor(s) {
    const params = searchParams(Object.assign({}, s, { page: 1 }));
    params.set('per_page', '1');
    return (await api('/api/search?' + params.toString())).facets;
  }

  async function pivotView(s) {
    const params = searchParams(Object.assign({}, s, { page: 1, sort: 'relevance' }));
    params.set('rows', s.rows);
    params.set('cols', s.cols);
    const [body, facets] = await Promise.all([api('/api/pivot?' + params.toString()), facetsFor(s)]);
    return () => {
      document.title = '总览' + (s.q ? '：' + s.q : '') + ' - 治理案例检索';
      drawFacets(s, facets);
      setStatus(body.total ? '共 ' + body.total + ' 篇案例，按' + AXIS_NAMES[body.row_axis] + '和' + AXIS_NAMES[body.col_axis] + '统计；点击数字查看这些案例。' : '没有找到符合条件的案例。');
      const tools = el('div', { class: 'pivot-tools' }, axisSelect(s, 'rows', '行'), axisSelect(s, 'cols', '列'),
        s.region ? link(withState({ region: s.region.split('/').slice(0, -1).join('/') }), { class: 'back', text: '↑ 上一级地区' }) : null);
      const note = (body.relaxed || []).length ? el('p', { class: 'relaxed-note', text: '统计包括未包含“' + body.relaxed.join('、') + '”的案例' }) : null;
      $('view').replaceChildren(...[viewTabs(s), activeFilters(s), tools, note, body.total ? pivotTable(s, body) : null].filter(Boolean));
    };
  }

  // ---------- precedents by place ----------
  async function precedentsView(s) {
    const params = searchParams(Object.assign({}, s, { page: 1 }));
    const [body, facets] = await Promise.all([api('/api/precedents?' + params.toString()), facetsFor(s)]);
    return () => {
      document.title = '各地先例' + (s.q ? '：' + s.q : '') + ' - 治理案例检索';
      drawFacets(s, facets);
      const shown = body.groups.reduce((n, g) => n + g.docs.length, 0);
      setStatus(body.total ? body.places + ' 个地方的 ' + shown + ' 篇案例' + (body.total > shown ? '（共 ' + body.total + ' 篇，按相关度取前 ' + shown + ' 篇）' : '') : '没有找到符合条件的案例。');
      const groups = body.groups.map((g) => el('section', { class: 'place' + (g.region.path ? '' : ' unknown') },
        el('h3', {}, g.region.path ? link(withState({ view: '', region: g.region.path, page: 1 }), { text: g.label }) : g.label,
          el('span', { class: 'count', text: g.docs.length + ' 篇' })),
        el('ul', { class: 'precedents' }, g.docs.map((d) => el('li', {},
          el('p', { class: 'precedent-head' }, link(withState({ doc: d.id }), { text: d.title || '（无标题）' }),
            el('span', { class: 'muted', text: ' · ' + (d.year ? d.year + ' 年' : '年份不详') + (d.region.county ? ' · ' + d.region.county : '') })),
          (d.passage_spans || []).length ? spanned(d.passage_spans) : null,
          el('p', { class: 'citation-line' }, el('span', { class: 'citation', text: d.citation }), ' ', copyButton(d.citation)))))));
      const word = el('p', { class: 'exports' }, '导出：',
        el('a', { href: '/api/precedents?' + params.toString() + '&format=docx', download: '', text: 'Word' }));
      $('view').replaceChildren(...[viewTabs(s), activeFilters(s), body.total ? word : null].concat(groups).filter(Boolean));
    };
  }

  // ---------- document view ----------
  function sourceBlock(source) {
    const url = safeUrl(source.url);
    return el('li', {}, el('code', { text: source.path || '' }),
      url ? [' ', el('a', { href: url, rel: 'noopener noreferrer', target: '_blank', text: url })] : null,
      !url && source.url ? ' ' + source.url : null);
  }

  // Why a passage has its measures: "视频监控与智能感知：雪亮工程、视频监控".
  function evidenceNote(passage) {
    const evidence = passage.evidence || {};
    const parts = (passage.measures || []).filter((id) => (evidence[id] || []).length)
      .map((id) => measureLabel(id) + '：' + evidence[id].join('、'));
    return parts.length ? el('p', { class: 'evidence muted', text: '依据 ' + parts.join('；') }) : null;
  }

  // The words of the search that led to a document, to mark in it: quotes dropped,
  // exclusions and OR left out.
  function queryTerms(q) {
    return (q || '').replace(/["“”]/g, ' ').split(/\s+/)
      .filter((w) => w && w !== 'OR' && !w.startsWith('-'))
      .sort((a, b) => b.length - a.length);
  }

  // `text` as text nodes, every occurrence of a term in a <mark>.
  function withMarks(text, terms) {
    if (!terms.length) return [text];
    const out = [];
    let at = 0;
    while (at < text.length) {
      let best = -1; let term = '';
      for (const t of terms) {
        const i = text.indexOf(t, at);
        if (i >= 0 && (best < 0 || i < best)) { best = i; term = t; }
      }
      if (best < 0) break;
      if (best > at) out.push(text.slice(at, best));
      out.push(el('mark', { text: term }));
      at = best + term.length;
    }
    if (at < text.length) out.push(text.slice(at));
    return out;
  }

  function passageBlock(passage, terms) {
    const tagged = passage.measures && passage.measures.length;
    return el('section', { class: 'passage' + (tagged ? ' tagged' : ''), id: 'p-' + passage.id },
      tagged ? chips(passage.measures) : null,
      tagged ? evidenceNote(passage) : null,
      el('p', { class: 'passage-text' }, withMarks(passage.text, terms || [])));
  }

  function measureIndex(doc) {
    const ids = doc.measures || [];
    if (!ids.length) return null;
    return el('div', { class: 'measure-index' }, el('span', { text: '本文措施（点击跳到段落）：' }),
      ids.map((id) => el('button', { type: 'button', class: 'chip chip-button', text: measureLabel(id), onclick: () => {
        const target = (doc.passages || []).find((p) => (p.measures || []).includes(id));
        const node = target && document.getElementById('p-' + target.id);
        if (node) { node.scrollIntoView({ behavior: 'smooth', block: 'start' }); node.classList.add('flash'); }
      } })));
  }

  function similarList(s, hits) {
    if (!hits.length) return el('p', { class: 'muted', text: '没有找到相似案例。' });
    return el('ul', { class: 'similar' }, hits.map((h) => el('li', {},
      link(withState({ doc: h.id }), { text: h.title || '（无标题）' }),
      el('span', { class: 'muted', text: ' · ' + regionText(h.region) + (h.year ? ' · ' + h.year + ' 年' : '') }))));
  }

  async function docView(s) {
    const id = encodeURIComponent(s.doc);
    const [doc, similar] = await Promise.all([
      api('/api/docs/' + id),
      api('/api/docs/' + id + '/similar?limit=5').catch(() => []),
    ]);
    return () => {
      document.title = doc.title + ' - 治理案例检索';
      setStatus('');
      const back = link(Object.assign(readState(), { doc: '' }), { class: 'back', text: '← 返回检索结果' });
      const terms = queryTerms(s.q);
      const passages = (doc.passages || []).length
        ? doc.passages.map((p) => passageBlock(p, terms))
        : [el('p', { class: 'passage-text' }, withMarks(doc.text, terms))];
      const mentioned = (doc.years_mentioned || []).join('、');
      const article = el('article', { class: 'doc' },
        el('div', { class: 'doc-head' }, el('h2', { text: doc.title || '（无标题）' }), pickBox(doc.id, doc.title)),
        el('p', { class: 'meta' }, regionText(doc.region), ' · ', doc.year ? doc.year + ' 年' : '年份不详',
          mentioned ? ' · 文中提到的年份：' + mentioned : '', doc.added ? ' · 收录于 ' + addedDay(doc.added) : ''),
        doc.duplicate_of ? el('p', { class: 'versions' }, '这是一个较早的版本或副本，检索时以',
          link(withState({ doc: doc.duplicate_of }), { text: '最新版本' }), '为准。') : null,
        versionList(doc.versions, 'versions', '其他版本（已合并到本文）：'),
        chips(doc.measures),
        el('h3', { text: '来源' }), el('ul', { class: 'sources' }, sourceBlock(doc.source || {})),
        (doc.duplicates || []).length
          ? [el('h3', { text: '相同内容的其他来源（已合并）' }), el('ul', { class: 'sources' }, doc.duplicates.map(sourceBlock))]
          : null,
        el('h3', { text: '全文' }), measureIndex(doc),
        el('div', { class: 'fulltext' }, passages));
      const aside = el('aside', { class: 'similar-box', 'aria-label': '相似案例' }, el('h3', { text: '相似案例' }), similarList(s, similar));
      $('view').replaceChildren(back, el('div', { class: 'doc-layout' }, article, aside));
      // Opened from a search: go to the first match.
      const first = article.querySelector('.fulltext mark');
      if (first) first.scrollIntoView({ block: 'center' });
    };
  }

  // ---------- compare view ----------
  function visibleRows(body, showEmpty) {
    return body.rows.filter((r) => showEmpty || r.cells.some((c) => c.length));
  }

  // A download of the comparison from the server (the one export path): the measures picked.
  function compareExport(s, body, hidden, format, name, text) {
    const p = new URLSearchParams({ ids: s.compare.join(','), format });
    if (hidden.size) {
      for (const r of body.rows) if (r.cells.some((c) => c.length) && !hidden.has(r.measure)) p.append('measure', r.measure);
    }
    return el('a', { class: 'button', href: '/api/compare?' + p.toString(), download: name, text });
  }

  function copyButton(text) {
    return el('button', { type: 'button', class: 'secondary small', text: '复制', onclick: async (e) => {
      const button = e.currentTarget;
      try { await navigator.clipboard.writeText(text); button.textContent = '已复制'; } catch (_) {
        const area = el('textarea', { value: text, readOnly: true, class: 'copy-area' });
        button.after(area);
        area.select();
        button.textContent = '请按 Ctrl+C 复制';
      }
    } });
  }

  // A cell's passages, best first: the first two, the rest shown with "展开完整段落".
  function cellPassages(passages) {
    const FIRST = 2;
    const nodes = passages.map((t, i) => el('p', { class: i < FIRST ? '' : 'extra', text: t }));
    if (passages.length > FIRST) {
      nodes.push(el('p', { class: 'more-note muted', text: '另有 ' + (passages.length - FIRST) + ' 段，勾选“展开完整段落”查看' }));
    }
    return nodes;
  }

  function compareTable(s, body, hidden) {
    const rows = visibleRows(body, s.empty).filter((r) => !hidden.has(r.measure));
    const title = (d) => d.title || '（无标题）';
    const head = el('tr', {}, el('th', { scope: 'col', class: 'measure-col', text: '措施类型' }),
      body.docs.map((d) => el('th', { scope: 'col' },
        link(withState({ doc: d.id }), { text: title(d) }),
        body.docs.length > 2
          ? link(Object.assign(readState(), { compare: s.compare.filter((id) => id !== d.id) }), { class: 'remove', text: '移出对比' })
          : null)));
    // Where, when and from what source: the first rows, so the cases can be told apart.
    const fact = (label, value) => el('tr', { class: 'fact-row' }, el('th', { scope: 'row', text: label }),
      body.docs.map((d) => el('td', { 'data-label': title(d), text: value(d) })));
    const facts = [fact('地区', (d) => regionText(d.region)), fact('年份', (d) => (d.year ? d.year + ' 年' : '年份不详')),
      fact('来源', (d) => d.citation)];
    const lines = rows.map((r) => el('tr', { class: r.cells.some((c) => c.length) ? '' : 'empty-row' },
      el('th', { scope: 'row', text: r.label }),
      r.cells.map((c, i) => el('td', { 'data-label': title(body.docs[i]) },
        c.length ? cellPassages(c) : el('span', { class: 'muted', text: '—' })))));
    if (!rows.length) lines.push(el('tr', {}, el('td', { colSpan: body.docs.length + 1, class: 'muted', text: '这些案例都没有标注措施段落。' })));
    return { rows, table: el('div', { class: 'table-wrap', tabIndex: 0, 'aria-label': '对比表（可横向滚动）' },
      el('table', { class: 'compare' }, el('thead', {}, head), el('tbody', {}, facts, lines))) };
  }

  // Which measures to show: one box per measure that some case has.
  function measurePicker(body, hidden, redraw) {
    const filled = body.rows.filter((r) => r.cells.some((c) => c.length));
    if (filled.length < 2) return null;
    return el('details', { class: 'measure-picker' }, el('summary', { text: '选择要对比的措施（' + (filled.length - filled.filter((r) => hidden.has(r.measure)).length) + '/' + filled.length + '）' }),
      filled.map((r) => el('label', { class: 'toggle' }, el('input', { type: 'checkbox', checked: !hidden.has(r.measure), value: r.measure, onchange: (e) => {
        if (e.target.checked) hidden.delete(r.measure); else hidden.add(r.measure);
        redraw();
      } }), r.label)));
  }

  async function compareView(s) {
    const body = await api('/api/compare?ids=' + encodeURIComponent(s.compare.join(',')));
    const hidden = new Set();
    return function draw() {
      const open = document.querySelector('.measure-picker') && document.querySelector('.measure-picker').open;
      document.title = '案例对比 - 治理案例检索';
      const filled = body.rows.filter((r) => r.cells.some((c) => c.length)).length;
      setStatus('');
      const summary = el('p', { class: 'meta', text: '对比 ' + body.docs.length + ' 篇案例：' + filled
        + ' 类措施至少一篇有相关段落' + (s.empty ? '，下表列出全部 ' + body.rows.length + ' 类。' : '，其余空白行已隐藏。')
        + '每段只列在它最相关的措施下。' });
      const { table } = compareTable(s, body, hidden);
      const toggle = el('label', { class: 'toggle' }, el('input', { type: 'checkbox', checked: s.empty, onchange: (e) => {
        go(Object.assign(readState(), { empty: e.target.checked }), true);
      } }), '显示所有措施类型（含空白行）');
      const expand = el('label', { class: 'toggle' }, el('input', { type: 'checkbox', onchange: (e) => {
        table.classList.toggle('expanded', e.target.checked);
      } }), '展开完整段落');
      const picker = measurePicker(body, hidden, draw);
      if (picker && open) picker.open = true;
      const tools = el('div', { class: 'compare-tools' },
        link(withState({ compare: [] }), { class: 'back', text: '← 返回检索' }), toggle, expand,
        compareExport(s, body, hidden, 'md', '案例对比.md', '导出 Markdown'),
        compareExport(s, body, hidden, 'csv', '案例对比.csv', '导出 CSV'),
        compareExport(s, body, hidden, 'docx', '案例对比.docx', '导出 Word'));
      const cites = el('section', { class: 'citations' }, el('h3', { text: '引用' }),
        el('ol', {}, body.docs.map((d) => el('li', {}, el('span', { class: 'citation', text: d.citation }), ' ', copyButton(d.citation)))));
      $('view').replaceChildren(...[el('h2', { class: 'view-title', text: '案例对比' }), summary, tools, picker, table, cites].filter(Boolean));
    };
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
}());
