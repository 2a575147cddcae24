package control

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// Client sends requests to the running app. Each Call uses its own
// connection; the first reuses the one Dial opened.
type Client struct {
	dataDir string

	mu   sync.Mutex
	conn net.Conn // opened by Dial, not yet used
}

// Dial connects to the app for dataDir. It returns an error wrapping ErrNoApp
// when no app listens. Close the Client when done.
func Dial(ctx context.Context, dataDir string) (*Client, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	conn, err := dial(ctx, dataDir)
	if err != nil {
		return nil, err
	}
	return &Client{dataDir: dataDir, conn: conn}, nil
}

// Close releases the connection Dial opened if no Call used it.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		return nil
	}
	err := c.conn.Close()
	c.conn = nil
	return err
}

// Call sends cmd with args (encoded as JSON; nil for none) and decodes the
// result into result (a pointer; nil to ignore it). An error the app returned
// is a *RemoteError. Without a deadline on ctx, Call gives up after
// DefaultTimeout.
func (c *Client) Call(ctx context.Context, cmd string, args, result any) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()

	req := Request{Cmd: cmd}
	if args != nil {
		raw, err := json.Marshal(args)
		if err != nil {
			return fmt.Errorf("failed to encode args of %s: %w", cmd, err)
		}
		req.Args = raw
	}
	line, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("failed to encode %s: %w", cmd, err)
	}
	line = append(line, '\n')
	if len(line) > MaxRequestSize {
		return fmt.Errorf("failed to send %s: %w", cmd, errTooLarge)
	}

	conn, err := c.takeConn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	// Cancelling ctx unblocks a read or write in progress.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	resp, err := roundTrip(conn, line)
	if err != nil {
		// The socket deadline is ctx's, and may pass just before ctx notices.
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if ctx.Err() != nil {
				err = ctx.Err()
			} else if !time.Now().Before(deadline) {
				err = context.DeadlineExceeded
			}
		}
		return fmt.Errorf("failed to call %s: %w", cmd, err)
	}
	if !resp.OK {
		return &RemoteError{Cmd: cmd, Msg: resp.Error}
	}
	if result != nil && len(resp.Result) > 0 {
		if err := json.Unmarshal(resp.Result, result); err != nil {
			return fmt.Errorf("failed to decode result of %s: %w", cmd, err)
		}
	}
	return nil
}

func (c *Client) takeConn(ctx context.Context) (net.Conn, error) {
	c.mu.Lock()
	conn := c.conn
	c.conn = nil
	c.mu.Unlock()
	if conn != nil {
		return conn, nil
	}
	return dial(ctx, c.dataDir)
}

func roundTrip(conn net.Conn, line []byte) (Response, error) {
	if _, err := conn.Write(line); err != nil {
		return Response{}, err
	}
	reply, err := bufio.NewReader(io.LimitReader(conn, maxResponseSize)).ReadBytes('\n')
	if err != nil {
		if errors.Is(err, io.EOF) {
			return Response{}, errors.New("the app closed the connection without a complete reply")
		}
		return Response{}, err
	}
	var resp Response
	if err := json.Unmarshal(reply, &resp); err != nil {
		return Response{}, fmt.Errorf("bad reply: %w", err)
	}
	return resp, nil
}
