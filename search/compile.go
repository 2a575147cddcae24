package search

import (
	"slices"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/lullhq/lull/app/inbox"
)

// compile turns q into a bleve query. Every part is a must (or must not)
// clause of one boolean query; filters are clauses too, so the rarest
// term drives the conjunction instead of a scan of every document.
//
// counts are the store's items per state. They choose the cheaper way to
// say which states match: no clause when every item is in one of them,
// else "not in the others" or "in these", whichever has fewer documents
// to walk. (A user's index is mostly done items: "in:inbox" then walks
// the inbox, while the default query walks the done items to skip them.)
func (x *Index) compile(q Query, counts map[inbox.State]int) query.Query {
	var must, mustNot []query.Query
	addText := func(terms []Term, fields, phrase []string) {
		for _, t := range terms {
			f := fields
			if t.Phrase {
				f = phrase
			}
			sub := x.textQuery(t, f)
			switch {
			case sub == nil: // only stop words: matches anything
			case t.Not:
				mustNot = append(mustNot, sub)
			default:
				must = append(must, sub)
			}
		}
	}
	addText(q.Text, textFields, phraseFields)
	addText(q.From, []string{fieldFrom}, []string{fieldFrom})
	addText(q.To, []string{fieldTo}, []string{fieldTo})
	addText(q.Subject, []string{fieldTitle}, []string{fieldTitle})

	if len(q.Sources) > 0 {
		var any []query.Query
		for _, s := range q.Sources {
			any = append(any, termQuery(string(s), fieldSource))
		}
		must = append(must, or(any))
	}
	var in, out []query.Query
	nIn, nOut := 0, 0
	for _, s := range inbox.States {
		if slices.Contains(q.EffectiveStates(), s) {
			in = append(in, termQuery(string(s), fieldState))
			nIn += counts[s]
		} else {
			out = append(out, termQuery(string(s), fieldState))
			nOut += counts[s]
		}
	}
	switch {
	case len(out) == 0 || (counts != nil && nOut == 0):
	case counts != nil && nOut < nIn:
		mustNot = append(mustNot, out...)
	default:
		must = append(must, or(in))
	}
	if q.Unread != nil {
		b := bleve.NewBoolFieldQuery(*q.Unread)
		b.SetField(fieldUnread)
		must = append(must, b)
	}
	if !q.After.IsZero() || !q.Before.IsZero() {
		incl, excl := true, false
		r := bleve.NewDateRangeInclusiveQuery(q.After, q.Before, &incl, &excl)
		r.SetField(fieldReceived)
		must = append(must, r)
	}

	bq := bleve.NewBooleanQuery()
	if len(must) == 0 {
		must = append(must, bleve.NewMatchAllQuery())
	}
	bq.AddMust(must...)
	if len(mustNot) > 0 {
		bq.AddMustNot(mustNot...)
	}
	return bq
}

// textQuery matches t in any of fields: every word of it (in any order)
// or, for a phrase, the words in order. It is nil when t analyzes to no
// words at all (stop words, punctuation), which must not make a query
// match nothing.
func (x *Index) textQuery(t Term, fields []string) query.Query {
	if len(x.analyze(t.Value)) == 0 {
		return nil
	}
	var any []query.Query
	for _, f := range fields {
		if t.Phrase {
			p := bleve.NewMatchPhraseQuery(t.Value)
			p.SetField(f)
			any = append(any, p)
			continue
		}
		m := bleve.NewMatchQuery(t.Value)
		m.SetField(f)
		m.SetOperator(query.MatchQueryOperatorAnd)
		any = append(any, m)
	}
	return or(any)
}

// analyze returns the terms the text analyzer makes of s.
func (x *Index) analyze(s string) []string {
	a := x.idx.Mapping().AnalyzerNamed(textAnalyzer)
	if a == nil {
		return []string{s}
	}
	var terms []string
	for _, tok := range a.Analyze([]byte(s)) {
		terms = append(terms, string(tok.Term))
	}
	return terms
}

func termQuery(term, field string) query.Query {
	t := bleve.NewTermQuery(term)
	t.SetField(field)
	return t
}

// or is the disjunction of qs, or qs[0] alone.
func or(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return bleve.NewDisjunctionQuery(qs...)
}
