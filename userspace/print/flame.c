// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE	/* open_memstream */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/fleet.h"
#include "print/flame.h"
#include "print/format.h"
#include "print/json.h"

static const char head[] =
	"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	"<title>anonleak: live anonymous bytes per stack</title>\n<style>\n"
	"body{font:13px sans-serif;margin:8px}\n"
	"#bar{margin-bottom:6px}#bar input{width:240px}#info{margin-left:12px;color:#555}\n"
	"#fg{position:relative;width:100%;overflow:hidden}\n"
	".fr{position:absolute;height:17px;line-height:17px;overflow:hidden;white-space:nowrap;"
	"text-overflow:ellipsis;font:11px monospace;padding-left:2px;box-sizing:border-box;"
	"cursor:pointer;border-right:1px solid #fff}\n"
	".fr.hit{background:#d0f !important;color:#fff}\n"
	"#tip{position:fixed;display:none;background:#ffe;border:1px solid #999;padding:4px;"
	"font:12px sans-serif;pointer-events:none;white-space:pre}\n"
	"</style></head><body>\n"
	"<div id=\"bar\"><b>anonleak</b>: live anonymous bytes per stack \n"
	"<button id=\"reset\">reset zoom</button> <input id=\"search\" placeholder=\"search "
	"(substring)\"><span id=\"info\"></span></div>\n"
	"<div id=\"fg\"></div><div id=\"tip\"></div>\n"
	"<script type=\"application/json\" id=\"data\">";

static const char tail[] =
	"</script>\n<script>\n"
	"(function () {\n"
	"'use strict';\n"
	"var data = JSON.parse(document.getElementById('data').textContent);\n"
	"var H = 18, fg = document.getElementById('fg'), tip = document.getElementById('tip');\n"
	"var root = node('all', null), zoom = root, term = '';\n"
	"function node(n, p) { return { n: n, v: 0, c: 0, a: -1, k: {}, p: p }; }\n"
	"function add(n, s) { n.v += s.b; n.c += s.c; if (s.a > n.a) n.a = s.a; }\n"
	"data.forEach(function (s) {\n"
	"  var n = root; add(n, s);\n"
	"  s.f.forEach(function (f) {\n"
	"    if (!Object.prototype.hasOwnProperty.call(n.k, f)) n.k[f] = node(f, n);\n"
	"    n = n.k[f]; add(n, s);\n"
	"  });\n"
	"});\n"
	"function kids(n) {\n"
	"  return Object.keys(n.k).map(function (k) { return n.k[k]; })\n"
	"    .sort(function (a, b) { return b.v - a.v || (a.n < b.n ? -1 : 1); });\n"
	"}\n"
	"function depth(n) { var d = 0; kids(n).forEach(function (c) { d = Math.max(d, depth(c)); });"
	" return d + 1; }\n"
	"function size(b) { var u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'], i = 0;"
	" while (b >= 1024 && i < 4) { b /= 1024; i++; } return (i ? b.toFixed(1) : b) + ' ' + u[i]; }\n"
	"function age(ms) { return ms < 0 ? 'none live' : ms < 1000 ? ms + ' ms' :"
	" (ms / 1000).toFixed(1) + ' s'; }\n"
	"function color(s) { var h = 0; for (var i = 0; i < s.length; i++) h = (h * 31 +"
	" s.charCodeAt(i)) >>> 0;\n"
	"  return 'hsl(' + (h % 50 + 5) + ',' + (h % 30 + 60) + '%,' + (h % 20 + 55) + '%)'; }\n"
	"function hit(n) { return term !== '' && n.n.indexOf(term) >= 0; }\n"
	"function box(n, lvl, x, w) {\n"
	"  var d = document.createElement('div');\n"
	"  d.className = 'fr' + (hit(n) ? ' hit' : '');\n"
	"  d.style.left = x + 'px'; d.style.width = w + 'px'; d.style.bottom = lvl * H + 'px';\n"
	"  d.style.background = color(n.n); d.textContent = n.n; d.title = '';\n"
	"  d.setAttribute('data-name', n.n); d.node = n; fg.appendChild(d);\n"
	"}\n"
	"function walk(n, lvl, x, w) {\n"
	"  var cx = x;\n"
	"  kids(n).forEach(function (c) {\n"
	"    var cw = n.v ? w * c.v / n.v : 0;\n"
	"    if (cw >= 1) { box(c, lvl + 1, cx, cw); walk(c, lvl + 1, cx, cw); }\n"
	"    cx += cw;\n"
	"  });\n"
	"}\n"
	"function matched(n) { if (hit(n)) return n.v; var m = 0;"
	" kids(n).forEach(function (c) { m += matched(c); }); return m; }\n"
	"function render() {\n"
	"  var w = fg.clientWidth, chain = [], a;\n"
	"  fg.innerHTML = ''; fg.style.height = depth(root) * H + 'px';\n"
	"  for (a = zoom; a; a = a.p) chain.unshift(a);\n"
	"  chain.forEach(function (n, i) { box(n, i, 0, w); });\n"
	"  walk(zoom, chain.length - 1, 0, w);\n"
	"  document.getElementById('info').textContent = term === '' ? size(root.v) + ' live' :\n"
	"    'matched ' + size(matched(root)) + ' of ' + size(root.v) + ' (' +\n"
	"    (root.v ? (100 * matched(root) / root.v).toFixed(1) : '0') + '%)';\n"
	"}\n"
	"fg.addEventListener('click', function (e) { if (e.target.node) { zoom = e.target.node;"
	" render(); } });\n"
	"fg.addEventListener('mousemove', function (e) {\n"
	"  var n = e.target.node; if (!n) { tip.style.display = 'none'; return; }\n"
	"  tip.textContent = n.n + '\\n' + size(n.v) + ' live (' + n.v + ' bytes, ' +\n"
	"    (root.v ? (100 * n.v / root.v).toFixed(2) : 0) + '%)\\n' + n.c + ' live mappings\\n' +\n"
	"    'oldest: ' + age(n.a);\n"
	"  tip.style.left = e.clientX + 12 + 'px'; tip.style.top = e.clientY + 12 + 'px';\n"
	"  tip.style.display = 'block';\n"
	"});\n"
	"fg.addEventListener('mouseleave', function () { tip.style.display = 'none'; });\n"
	"document.getElementById('reset').addEventListener('click', function () { zoom = root;"
	" render(); });\n"
	"document.getElementById('search').addEventListener('input', function (e) {"
	" term = e.target.value; render(); });\n"
	"window.addEventListener('resize', render);\n"
	"render();\n"
	"})();\n"
	"</script></body></html>\n";

/* A JSON string safe inside <script>: '<', '>' and '&' as \u escapes. */
static void put_string(FILE *f, const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return;
	json_write_string(m, (const unsigned char *)s, strlen(s));
	fclose(m);
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '<' || buf[i] == '>' || buf[i] == '&')
			fprintf(f, "\\u%04x", buf[i]);
		else
			fputc(buf[i], f);
	}
	free(buf);
}

static void put_stack(FILE *f, const struct report_proc *p, const struct site_info *s)
{
	char buf[FRAME_NAME_LEN];

	fputs("{\"f\":[", f);
	put_string(f, p->comm[0] ? p->comm : "?");
	for (size_t k = s->nr_frames; k-- > 0;) {
		fputc(',', f);
		put_string(f, frame_name(buf, &s->frames[k]));
	}
	fprintf(f, "],\"b\":%" PRIu64 ",\"c\":%" PRIu64 ",\"a\":%" PRId64 "}", s->live_bytes,
		s->live_count,
		s->has_oldest ? (int64_t)(age_ns(s->now, s->oldest) / NSEC_PER_MSEC) : -1);
}

void report_print_flame(FILE *f, const struct report *r)
{
	bool first = true;

	fputs(head, f);
	fputc('[', f);
	for (size_t i = 0; i < r->nr_procs; i++)
		for (size_t j = 0; j < r->procs[i].nr_sites; j++) {
			if (!r->procs[i].sites[j].live_bytes)
				continue;
			fputs(first ? "\n" : ",\n", f);
			put_stack(f, &r->procs[i], &r->procs[i].sites[j]);
			first = false;
		}
	fputs("]\n", f);
	fputs(tail, f);
}
