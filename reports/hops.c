#include "reports/hops.h"

#include <stdio.h>
#include <string.h>

#include "core/i18n.h"

const char *hops_where_name(enum hops_where w)
{
	static const char *const names[] = {"this-host", "path", "destination",
					    "unknown"};

	return names[w];
}

/* The highest TTL with any answer from the network, or 0. */
static int last_answer(const struct hop_walk *w)
{
	int t;

	for (t = w->max_ttl; t > 0; t--)
		if (w->hops[t - 1].answer == HOP_TIME_EXCEEDED ||
		    w->hops[t - 1].answer == HOP_REJECTED ||
		    w->hops[t - 1].answer == HOP_REACHED)
			return t;
	return 0;
}

/* What the reference walk saw, as the end of a sentence. */
static void ref_words(char *s, size_t len, const struct hop_walk *ref)
{
	if (ref == NULL)
		snprintf(s, len, _("no port to compare with"));
	else if (ref->reached > 0)
		snprintf(s, len, _("SYNs to %d reach %s in %d hop%s"),
			 ref->port, ref->address, ref->reached,
			 ref->reached == 1 ? "" : "s");
	else if (hops_last_router(ref) > 0)
		snprintf(s, len, _("SYNs to %d get as far as hop %d (%s)"),
			 ref->port, hops_last_router(ref),
			 ref->hops[hops_last_router(ref) - 1].from);
	else
		snprintf(s, len,
			 _("SYNs to %d get no answer from any hop "
			   "either"),
			 ref->port);
}

bool hops_judge(const struct hop_walk *walks, size_t n, size_t i,
		struct hops_verdict *v)
{
	const struct hop_walk *w = &walks[i];
	char rw[200];
	size_t j;
	int last;

	memset(v, 0, sizeof(*v));
	if (w->reference)
		return false;
	v->walk = w;
	for (j = 0; j < n; j++)
		if (walks[j].reference &&
		    strcmp(walks[j].address, w->address) == 0)
			v->ref = &walks[j];
	ref_words(rw, sizeof(rw), v->ref);
	last = last_answer(w);
	if (w->reached > 0) {
		v->where = WHERE_DESTINATION;
		snprintf(v->words, sizeof(v->words),
			 _("SYNs to port %d reach %s in %d hop%s during the "
			   "walk; %s"),
			 w->port, w->address, w->reached,
			 w->reached == 1 ? "" : "s", rw);
	} else if (last > 0) {
		const struct hop *h = &w->hops[last - 1];

		v->where = WHERE_PATH;
		v->hop = last;
		v->from = h->from;
		v->rejected = h->answer == HOP_REJECTED;
		if (v->rejected)
			snprintf(v->words, sizeof(v->words),
				 _("SYNs to port %d are rejected at hop %d "
				   "(%s, an ICMP error); %s"),
				 w->port, last, h->from, rw);
		else
			snprintf(v->words, sizeof(v->words),
				 _("SYNs to port %d go no further than hop %d "
				   "(%s); %s"),
				 w->port, last, h->from, rw);
	} else if (v->ref != NULL &&
		   v->ref->hops[0].answer == HOP_TIME_EXCEEDED) {
		/* the first router answers the other port: ours never
		 * reached it */
		char reach[120] = "";

		if (v->ref->reached > 0)
			snprintf(reach, sizeof(reach),
				 _(" and reach %s in %d hops"), v->ref->address,
				 v->ref->reached);
		v->where = WHERE_HERE;
		snprintf(v->words, sizeof(v->words),
			 _("SYNs to port %d never leave this machine: no hop "
			   "answers, not even the first, while SYNs to %d get "
			   "an answer from hop 1 (%s)%s: a firewall on this "
			   "machine drops them"),
			 w->port, v->ref->port, v->ref->hops[0].from, reach);
	} else {
		v->where = WHERE_UNKNOWN;
		snprintf(v->words, sizeof(v->words),
			 _("SYNs to port %d get no answer from any hop; %s%s"),
			 w->port, rw,
			 v->ref != NULL && v->ref->reached == 1
				 ? _(" (the same link): this machine or the "
				     "destination itself drops them")
				 : "");
	}
	return true;
}

bool hops_find(const struct hop_walk *walks, size_t n, const char *address,
	       int port, struct hops_verdict *v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!walks[i].reference && walks[i].port == port &&
		    (address == NULL || strcmp(walks[i].address, address) == 0))
			return hops_judge(walks, n, i, v);
	return false;
}
