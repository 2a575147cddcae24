package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/lullhq/lull/app/inbox"
	"github.com/lullhq/lull/connectors/mailparse"
	"github.com/lullhq/lull/store"
)

// blobWordsRepaired records that repairEncodedWords has run on a store.
const blobWordsRepaired = "repair-encoded-words-1"

// repairDelay keeps the repair out of the window's start.
const repairDelay = 15 * time.Second

// repairBatch is how many rows repairEncodedWords reads at a time.
const repairBatch = 512

// repairEncodedWords decodes the RFC 2047 encoded-words that mail synced
// before mailparse decoded glued words (`H=?ISO-8859-1?B?9g==?=hn` for
// "Höhn") still holds in its titles and sender names: such mail is never
// fetched again, so the fix would not reach it otherwise. It runs once per
// store: it reads every email's row, rewrites the few with an encoded-word
// left (their triage stays as it is, and the search index follows the
// change), then records in a blob that it is done. A run cut short runs
// again in full next time; rewriting an item twice changes nothing. It
// returns how many items it rewrote.
func repairEncodedWords(ctx context.Context, st *store.Store, log *slog.Logger) (int, error) {
	done, err := encodedWordsRepaired(ctx, st)
	if err != nil || done {
		return 0, err
	}
	var ids []inbox.ID
	if _, err := st.ItemVersions(ctx, func(id inbox.ID, _ uint64) error {
		ids = append(ids, id)
		return nil
	}); err != nil {
		return 0, fmt.Errorf("repair: %w", err)
	}
	var broken []inbox.ID
	for start := 0; start < len(ids); start += repairBatch {
		rows, err := st.Summaries(ctx, ids[start:min(start+repairBatch, len(ids))])
		if err != nil {
			return 0, fmt.Errorf("repair: %w", err)
		}
		for _, r := range rows {
			if r.Source == inbox.SourceEmail && (strings.Contains(r.Title, "=?") || strings.Contains(r.From, "=?")) {
				broken = append(broken, r.ID)
			}
		}
	}
	items, _, err := st.Items(ctx, broken)
	if err != nil {
		return 0, fmt.Errorf("repair: %w", err)
	}
	byAccount := map[string][]inbox.Item{}
	for _, it := range items {
		title := mailparse.DecodeLeftoverWords(it.Title)
		name := mailparse.DecodeLeftoverWords(it.From.Name)
		if title == it.Title && name == it.From.Name {
			continue // an encoded-word that does not decode, or "=?" in plain text
		}
		it.Title, it.From.Name = title, name
		byAccount[it.Account] = append(byAccount[it.Account], it)
	}
	fixed := 0
	for account, upserts := range byAccount {
		if _, err := st.Apply(ctx, store.Batch{Account: account, Upserts: upserts}); err != nil {
			return fixed, fmt.Errorf("repair: %s: %w", account, err)
		}
		fixed += len(upserts)
	}
	if err := st.SetBlob(ctx, blobWordsRepaired, []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
		return fixed, fmt.Errorf("repair: %w", err)
	}
	if fixed > 0 {
		log.Info("repair: decoded encoded-words left in older mail", "items", fixed)
	}
	return fixed, nil
}

// Repair runs on st the one-time repairs it has not had yet, and returns
// how many items they changed. Each records in the store that it ran, so a
// store is read for it once. A tool that writes a workspace with this
// version's parsers (bench/uiseed) calls it when done, so that the window
// does not later read the whole store for a repair it cannot need.
func Repair(ctx context.Context, st *store.Store, log *slog.Logger) (int, error) {
	return repairEncodedWords(ctx, st, log)
}

// NeedsRepair reports whether st has a one-time repair still to run.
func NeedsRepair(ctx context.Context, st *store.Store) (bool, error) {
	done, err := encodedWordsRepaired(ctx, st)
	if err != nil {
		return false, fmt.Errorf("repair: %w", err)
	}
	return !done, nil
}

// encodedWordsRepaired reports whether repairEncodedWords has recorded
// that it ran on st.
func encodedWordsRepaired(ctx context.Context, st *store.Store) (bool, error) {
	done, err := st.Blob(ctx, blobWordsRepaired)
	return done != nil, err
}

// runRepairs runs Repair once the window has had time to
// start, then tells the window about the items it changed.
func (a *App) runRepairs(ctx context.Context, ws *workspace) {
	select {
	case <-ctx.Done():
		return
	case <-time.After(repairDelay):
	}
	n, err := Repair(ctx, ws.store, a.log)
	if err != nil && ctx.Err() == nil {
		a.log.Warn("repair: older mail's encoded-words", "err", err)
	}
	if n > 0 {
		a.emitter.Count(EventItemsChanged, n)
	}
}
