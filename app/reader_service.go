package app

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/lullhq/lull/app/inbox"
)

// imageSendersBlob is the store blob holding the senders whose remote
// images the reader loads without asking. It lives in the workspace's store,
// not in config.toml: it is a decision made in the window, one key at a
// time, and the sample workspace keeps its own.
const imageSendersBlob = "reader.image-senders"

// maxImageSenders bounds the allowlist so a stuck key cannot grow the blob
// without end; nobody trusts ten thousand senders by hand.
const maxImageSenders = 10000

// maxThread bounds how many messages of one thread the pane shows: the
// newest ones, which is what a reader catching up wants.
const maxThread = 50

// Reader is the bound service behind the reading pane: a conversation's
// messages, and which senders' remote images load by default (T in the
// window). Loading images for one message is the pane's own business and is
// not stored.
type Reader struct {
	app *App
	// mu serialises the blob's read-modify-write; the window binds one Reader.
	mu sync.Mutex
}

// imageSenders is the blob's JSON.
type imageSenders struct {
	Senders []string `json:"senders"`
}

// Thread returns the messages of id's thread with their bodies, oldest
// first, at most the newest maxThread: the pane shows a Slack thread or a
// pull request's comments whole. An item without a thread is a thread of one.
func (s *Reader) Thread(id string) ([]inbox.Item, error) {
	ctx := s.app.context()
	ws, err := s.app.current()
	if err != nil {
		return nil, err
	}
	members, err := ws.store.ThreadItems(ctx, inbox.ID(id))
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(members, func(a, b inbox.Item) int {
		return cmp.Or(a.Received.Compare(b.Received), cmp.Compare(a.ID, b.ID))
	})
	if len(members) > maxThread {
		members = members[len(members)-maxThread:]
	}
	out := make([]inbox.Item, 0, len(members))
	for _, m := range members {
		it, err := ws.store.Get(ctx, m.ID)
		if err != nil {
			return nil, fmt.Errorf("thread of %s: %w", id, err)
		}
		out = append(out, it)
	}
	return out, nil
}

// ImagesAllowed reports whether remote images from sender load by default.
func (s *Reader) ImagesAllowed(sender string) (bool, error) {
	addr, err := normalizeSender(sender)
	if err != nil {
		return false, nil // a sender with no usable address is never on the list
	}
	list, err := s.load(s.app.context())
	if err != nil {
		return false, err
	}
	_, found := slices.BinarySearch(list, addr)
	return found, nil
}

// ImageSenders lists the senders whose remote images load by default, sorted.
func (s *Reader) ImageSenders() ([]string, error) {
	return s.load(s.app.context())
}

// AllowImages adds sender to the list whose remote images load by default.
func (s *Reader) AllowImages(sender string) error {
	addr, err := normalizeSender(sender)
	if err != nil {
		return err
	}
	return s.update(s.app.context(), func(list []string) ([]string, error) {
		i, found := slices.BinarySearch(list, addr)
		if found {
			return list, nil
		}
		if len(list) >= maxImageSenders {
			return nil, fmt.Errorf("load images: already %d senders are allowed; remove some first", len(list))
		}
		return slices.Insert(list, i, addr), nil
	})
}

// DisallowImages removes sender from the list; its images are blocked again.
func (s *Reader) DisallowImages(sender string) error {
	addr, err := normalizeSender(sender)
	if err != nil {
		return err
	}
	return s.update(s.app.context(), func(list []string) ([]string, error) {
		if i, found := slices.BinarySearch(list, addr); found {
			return slices.Delete(list, i, i+1), nil
		}
		return list, nil
	})
}

func (s *Reader) load(ctx context.Context) ([]string, error) {
	ws, err := s.app.current()
	if err != nil {
		return nil, err
	}
	raw, err := ws.store.Blob(ctx, imageSendersBlob)
	if err != nil {
		return nil, fmt.Errorf("load images: %w", err)
	}
	list := []string{}
	if len(raw) == 0 {
		return list, nil
	}
	var v imageSenders
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("load images: read the sender list: %w", err)
	}
	// Keep the invariant (normalised, sorted, unique) even if an older
	// version wrote the blob differently.
	for _, a := range v.Senders {
		if n, err := normalizeSender(a); err == nil {
			list = append(list, n)
		}
	}
	slices.Sort(list)
	return slices.Compact(list), nil
}

func (s *Reader) update(ctx context.Context, change func([]string) ([]string, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws, err := s.app.current()
	if err != nil {
		return err
	}
	list, err := s.load(ctx)
	if err != nil {
		return err
	}
	list, err = change(list)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(imageSenders{Senders: list})
	if err != nil {
		return fmt.Errorf("load images: %w", err)
	}
	if err := ws.store.SetBlob(ctx, imageSendersBlob, raw); err != nil {
		return fmt.Errorf("load images: %w", err)
	}
	return nil
}

var errNoSender = errors.New("load images: the sender has no email address")

// normalizeSender turns "Ada@Example.COM" or "<ada@example.com>" into the
// list's key, "ada@example.com". Only plausible email addresses are keys:
// the allowlist is about email senders, and a Slack id or a display name
// must not slip in.
func normalizeSender(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", errNoSender
	}
	if len(s) > 254 {
		return "", fmt.Errorf("load images: sender address is too long (%d bytes)", len(s))
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") {
		return "", fmt.Errorf("load images: %q is not an email address", raw)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' || r == ',' {
			return "", fmt.Errorf("load images: %q is not an email address", raw)
		}
	}
	return s, nil
}
