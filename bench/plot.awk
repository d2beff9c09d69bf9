# plot.awk - an SVG of avow's rates and latencies against log size, from
# the "N<TAB>metric<TAB>value" lines that bench/run.sh collects (the
# harness's --data file plus the command-line figures). POSIX awk, no
# other dependency:
#
#   awk -f bench/plot.awk -v title="..." data.tsv > plot.svg
#
# Left: throughput in records/s (log scale), with the baselines of the
# same run as dashed lines. Right: latency in ms (log scale).

BEGIN {
	FS = "\t"
	# metric, label, colour, panel (1 rates, 2 latency), factor to the
	# panel's unit
	ns = 0
	S("append", "bulk append (API)", "#1f77b4", 1, 1)
	S("cli_append_extra", "avow append, 10,000 lines onto the log", "#17becf", 1, 1)
	S("audit_log", "audit of the log (API)", "#d62728", 1, 1)
	S("audit_bundle", "audit of the bundle (API)", "#ff7f0e", 1, 1)
	S("cli_verify_log", "avow-verify --log", "#9467bd", 1, 1)
	S("single_ms", "single append (API)", "#1f77b4", 2, 1)
	S("cli_claim_ms", "avow claim", "#17becf", 2, 1)
	S("cli_report_claim_ms", "avow report --claim", "#2ca02c", 2, 1)
	S("cli_search_ms", "avow search", "#8c564b", 2, 1)
	S("cli_checkpoint_ms", "avow checkpoint", "#9467bd", 2, 1)
	S("incl_us", "avow_log_inclusion (API)", "#d62728", 2, 0.001)
	nb = 0
	# labels of near baselines on opposite sides
	Bl("sign1", "Ed25519 sign, 1 thread", 1)
	Bl("minwrite", "minimal write loop", 0)
	Bl("verifyall", "Ed25519 verify, all cores", 1)
	Bl("minreadall", "minimal read loop, all cores", 0)
}

function S(m, l, c, p, f) {
	ns++; sm[ns] = m; sl[ns] = l; sc[ns] = c; sp[ns] = p; sf[ns] = f
}
function Bl(m, l, r) { nb++; bm[nb] = m; bl[nb] = l; br[nb] = r }
function log10(x) { return log(x) / log(10) }
function floor_(x) { return x == int(x) ? x : (x > 0 ? int(x) : int(x) - 1) }
function ceil_(x) { return x == int(x) ? x : (x > 0 ? int(x) + 1 : int(x)) }
function fmt(v) {
	if (v >= 1e6) return sprintf("%.3gM", v / 1e6)
	if (v >= 1e3) return sprintf("%.3gk", v / 1e3)
	return sprintf("%g", v)
}

NF >= 3 && $3 + 0 > 0 {
	val[$2, $1] = $3 + 0
	if ($1 + 0 > 0 && !(($1 + 0) in seen)) {
		seen[$1 + 0] = 1
		nx++
		xs[nx] = $1 + 0
	}
}

function panel(p, x0, name, unit,   i, j, k, ymin, ymax, xmin, xmax, v, any,
	       px, py, path, lx, ly, d, m) {
	W = 560; H = 380; L = 70; T = 40; PW = W - L - 20; PH = 220
	xmin = 1e300; xmax = 0
	for (i = 1; i <= nx; i++) {
		if (xs[i] < xmin) xmin = xs[i]
		if (xs[i] > xmax) xmax = xs[i]
	}
	lxmin = floor_(log10(xmin)); lxmax = ceil_(log10(xmax))
	if (lxmax == lxmin) lxmax++
	ymin = 1e300; ymax = 0
	for (k = 1; k <= ns; k++) {
		if (sp[k] != p) continue
		for (i = 1; i <= nx; i++)
			if ((sm[k], xs[i]) in val) {
				v = val[sm[k], xs[i]] * sf[k]
				if (v < ymin) ymin = v
				if (v > ymax) ymax = v
			}
	}
	if (p == 1)
		for (k = 1; k <= nb; k++)
			if ((bm[k], 0) in val) {
				v = val[bm[k], 0]
				if (v < ymin) ymin = v
				if (v > ymax) ymax = v
			}
	if (ymax == 0) { ymin = 1; ymax = 10 }
	lymin = floor_(log10(ymin)); lymax = ceil_(log10(ymax))
	if (lymax == lymin) lymax++
	printf "<g transform=\"translate(%d,0)\">\n", x0
	printf "<text x=\"%d\" y=\"24\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", L, name
	printf "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>\n", L, T, PW, PH
	for (d = lymin; d <= lymax; d++) {
		py = T + PH - (d - lymin) / (lymax - lymin) * PH
		printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", L, py, L + PW, py
		printf "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>\n", L - 6, py + 4, fmt(10 ^ d)
	}
	for (d = lxmin; d <= lxmax; d++) {
		px = L + (d - lxmin) / (lxmax - lxmin) * PW
		printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", px, T, px, T + PH
		printf "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n", px, T + PH + 16, fmt(10 ^ d)
	}
	printf "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">log size (records)</text>\n", L + PW / 2, T + PH + 34
	printf "<text x=\"16\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">%s</text>\n", T + PH / 2, T + PH / 2, unit
	ly = T + PH + 52; lx = L; m = 0
	if (p == 1) {
		# highest first, each label kept clear of the one above it on
		# its side
		nord = 0
		for (k = 1; k <= nb; k++)
			if ((bm[k], 0) in val) ord[++nord] = k
		for (i = 1; i <= nord; i++)
			for (j = i + 1; j <= nord; j++)
				if (val[bm[ord[j]], 0] > val[bm[ord[i]], 0]) { t = ord[i]; ord[i] = ord[j]; ord[j] = t }
		last[0] = last[1] = -100
		for (i = 1; i <= nord; i++) {
			k = ord[i]
			py = T + PH - (log10(val[bm[k], 0]) - lymin) / (lymax - lymin) * PH
			ty = py - 3
			if (ty < last[br[k]] + 11) ty = last[br[k]] + 11
			last[br[k]] = ty
			printf "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"5,4\"/>\n", L, py, L + PW, py
			printf "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" fill=\"#555\" text-anchor=\"%s\">%s %s/s</text>\n", br[k] ? L + PW - 4 : L + int(PW * 0.3), ty, br[k] ? "end" : "start", bl[k], fmt(int(val[bm[k], 0]))
		}
	}
	for (k = 1; k <= ns; k++) {
		if (sp[k] != p) continue
		path = ""; any = 0
		for (i = 1; i <= nx; i++) {
			if (!((sm[k], xs[i]) in val)) continue
			v = val[sm[k], xs[i]] * sf[k]
			px = L + (log10(xs[i]) - lxmin) / (lxmax - lxmin) * PW
			py = T + PH - (log10(v) - lymin) / (lymax - lymin) * PH
			path = path (any ? " L " : "M ") sprintf("%.1f %.1f", px, py)
			printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", px, py, sc[k]
			any = 1
		}
		if (!any) continue
		printf "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n", path, sc[k]
		printf "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>\n", lx + (m % 2) * 250, ly + int(m / 2) * 16 - 4, sc[k]
		printf "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>\n", lx + 16 + (m % 2) * 250, ly + int(m / 2) * 16, sl[k]
		m++
	}
	printf "</g>\n"
}

END {
	# sort the sizes
	for (i = 1; i <= nx; i++)
		for (j = i + 1; j <= nx; j++)
			if (xs[j] < xs[i]) { t = xs[i]; xs[i] = xs[j]; xs[j] = t }
	print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	print "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1120\" height=\"420\" viewBox=\"0 0 1120 420\" font-family=\"sans-serif\">"
	print "<rect width=\"1120\" height=\"420\" fill=\"white\"/>"
	if (title != "")
		printf "<text x=\"560\" y=\"412\" font-size=\"11\" text-anchor=\"middle\" fill=\"#555\">%s</text>\n", title
	panel(1, 0, "Throughput against log size", "records/s")
	panel(2, 560, "Latency against log size", "ms")
	print "</svg>"
}
