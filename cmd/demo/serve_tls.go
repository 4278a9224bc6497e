package main

import (
	"context"
	"crypto/tls"
	"log"
	"net"
	"os"
	"sync"
	"time"

	"github.com/pkg/errors"
)

// loopbackAddr reports whether the listen address addr (HOST:PORT) is on a
// loopback interface only: "localhost" or a loopback IP. ":PORT", "0.0.0.0:PORT"
// and host names other than localhost are not.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// startKeys loads the API key file at path and reads it again every keysPoll
// until ctx ends (see keyStore.watch); no path, no keys (nil).
func startKeys(ctx context.Context, path string, logger *log.Logger) (*keyStore, error) {
	if path == "" {
		return nil, nil
	}
	keys, err := loadKeyStore(path)
	if err != nil {
		return nil, err
	}
	logger.Printf("keys %s: %s; read again every %v", path, describeKeys(keys.names()), keysPoll)
	go keys.watch(ctx, keysPoll, logger)
	return keys, nil
}

// certReloader serves a TLS certificate from a pair of PEM files and loads them
// again when either file's modification time changes (checked at most every
// keysPoll), so that a renewed certificate is served without a restart; a pair
// that fails to load is logged and the one before stays.
type certReloader struct {
	certFile, keyFile string
	log               *log.Logger
	mu                sync.Mutex
	cert              *tls.Certificate
	stamp             [2]time.Time // the files' modification times when cert was loaded
	checked           time.Time
}

// newCertReloader loads the pair, with an error naming the file at fault.
func newCertReloader(certFile, keyFile string, logger *log.Logger) (*certReloader, error) {
	c := &certReloader{certFile: certFile, keyFile: keyFile, log: logger}
	stamp, err := c.stamps()
	if err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, errors.Wrapf(err, "-tls-cert %s, -tls-key %s", certFile, keyFile)
	}
	c.cert, c.stamp, c.checked = &cert, stamp, time.Now()
	return c, nil
}

// stamps returns the modification times of the two files.
func (c *certReloader) stamps() ([2]time.Time, error) {
	var out [2]time.Time
	for i, f := range []string{c.certFile, c.keyFile} {
		st, err := os.Stat(f)
		if err != nil {
			return out, errors.Wrap(err, "tls")
		}
		out[i] = st.ModTime()
	}
	return out, nil
}

// getCertificate is the tls.Config's GetCertificate.
func (c *certReloader) getCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := time.Now(); now.Sub(c.checked) >= keysPoll {
		c.checked = now
		if stamp, err := c.stamps(); err == nil && stamp != c.stamp {
			cert, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
			if err != nil {
				c.logf("reload -tls-cert %s: %v; the certificate loaded before stays", c.certFile, err)
			} else {
				c.cert, c.stamp = &cert, stamp
				c.logf("reloaded the certificate %s", c.certFile)
			}
		}
	}
	return c.cert, nil
}

func (c *certReloader) logf(format string, args ...interface{}) {
	if c.log != nil {
		c.log.Printf(format, args...)
	}
}

// serverTLS is the TLS configuration of "demo serve -tls-cert -tls-key": TLS 1.2
// or newer, the certificate reloaded when its files change.
func serverTLS(certFile, keyFile string, logger *log.Logger) (*tls.Config, error) {
	r, err := newCertReloader(certFile, keyFile, logger)
	if err != nil {
		return nil, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.getCertificate}, nil
}
