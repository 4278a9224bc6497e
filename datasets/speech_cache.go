package datasets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gokeras/gokeras/audio"
	"github.com/pkg/errors"
)

// settingsText describes what fixes the clean clips of p: the folder name holds
// its hash. Noise, shift and gain are drawn at load time and are not part of it.
func (c *speechConfig) settingsText(p speechPlan) string {
	return fmt.Sprintf("gokeras speech v2\nkind %s\nseed %d\ncounts %d %d\ntrain voices %s\ntest voices %s\n"+
		"speed %d %d\npitch %d %d\ndigits %d %d\nrate %d\n",
		p.kind, c.seed, c.train, c.test, strings.Join(c.trainVoices, " "), strings.Join(c.testVoices, " "),
		c.speedMin, c.speedMax, c.pitchMin, c.pitchMax, c.digitsMin, c.digitsMax, SpeechSampleRate)
}

// folder returns the cache folder of p's settings.
func (c *speechConfig) folder(p speechPlan) string {
	sum := sha256.Sum256([]byte(c.settingsText(p)))
	return filepath.Join(c.cacheDir, p.kind+"-"+hex.EncodeToString(sum[:8]))
}

// speechJob is one group of clips of the plan: split 0 (train) or 1 (test),
// indices first .. first+len(items)-1.
type speechJob struct {
	split, first int
	items        []speechItem
	paths        []string
}

// jobs groups the clips of p by speechItem.group and counts those not cached.
func (c *speechConfig) jobs(p speechPlan, dir string) (jobs []speechJob, missing, total int) {
	for s, items := range [][]speechItem{p.train, p.test} {
		for i := 0; i < len(items); {
			j := speechJob{split: s, first: i}
			for ; i < len(items) && items[i].group == items[j.first].group; i++ {
				path := filepath.Join(dir, fmt.Sprintf("%s-%05d.wav", [2]string{"train", "test"}[s], i))
				if _, err := os.Stat(path); err != nil {
					missing++
				}
				j.items = append(j.items, items[i])
				j.paths = append(j.paths, path)
				total++
			}
			jobs = append(jobs, j)
		}
	}
	return jobs, missing, total
}

// generate loads or renders every clip of p, on c.workers goroutines, and
// augments them.
func (c *speechConfig) generate(p speechPlan) (*SpeechSet, error) {
	dir := c.folder(p)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, errors.Wrap(err, "speech cache")
	}
	jobs, missing, total := c.jobs(p, dir)
	program := ""
	if missing > 0 {
		var err error
		if program, err = FindEspeak(c.program); err != nil {
			return nil, errors.Wrapf(err, "%d of %d clips are not in %s", missing, total, dir)
		}
		if err := writeFileAtomic(filepath.Join(dir, "settings.txt"), []byte(c.settingsText(p))); err != nil {
			return nil, errors.Wrap(err, "speech cache")
		}
	}
	set := &SpeechSet{Train: make([]SpeechClip, len(p.train)), Test: make([]SpeechClip, len(p.test)),
		Classes: append([]string(nil), p.classes...), SampleRate: SpeechSampleRate,
		TrainVoices: append([]string(nil), c.trainVoices...), TestVoices: append([]string(nil), c.testVoices...),
		Dir: dir}
	ctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	ch := make(chan speechJob)
	for w := 0; w < c.workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				clean, made, err := c.cleanClips(ctx, program, j)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				set.Generated += made
				mu.Unlock()
				if err != nil {
					continue
				}
				dst := set.Train
				if j.split == 1 {
					dst = set.Test
				}
				for k, x := range clean {
					dst[j.first+k] = c.augment(j.items[k], x, p.fixedLength)
				}
			}
		}()
	}
feed:
	for _, j := range jobs {
		select {
		case ch <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(ch)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := c.ctx.Err(); err != nil {
		return nil, errors.Wrap(err, "speech generation stopped")
	}
	return set, nil
}

// cleanClips reads job j's clean clips from the cache or, when one is missing or
// unreadable, renders the group with espeak-ng (program; "" when every clip was
// cached) and caches it; made is the number of clips rendered.
func (c *speechConfig) cleanClips(ctx context.Context, program string, j speechJob) (xs [][]float64, made int, err error) {
	xs = make([][]float64, len(j.paths))
	cached := true
	for k, path := range j.paths {
		clip, err := audio.ReadWAVFile(path)
		if err != nil || clip.SampleRate != SpeechSampleRate || clip.Frames() == 0 {
			cached = false
			break
		}
		xs[k] = clip.Mono()
	}
	if cached {
		return xs, 0, nil
	}
	if program == "" {
		return nil, 0, errors.Errorf("speech cache: unreadable clip in %s: delete the folder", filepath.Dir(j.paths[0]))
	}
	fresh, err := c.speakGroup(ctx, program, j.items)
	if err != nil {
		return nil, 0, err
	}
	for k, x := range fresh {
		clip, err := audio.NewClip(SpeechSampleRate, x)
		if err != nil {
			return nil, 0, err
		}
		if err := audio.WriteWAVFile(j.paths[k], clip); err != nil {
			return nil, 0, errors.Wrap(err, "speech cache")
		}
		// Read back what was stored (16-bit), so that a cached and a fresh
		// run give the same samples.
		back, err := audio.ReadWAVFile(j.paths[k])
		if err != nil {
			return nil, 0, errors.Wrap(err, "speech cache")
		}
		xs[k] = back.Mono()
	}
	return xs, len(fresh), nil
}

// writeFileAtomic writes b to a temporary file beside path and renames it to
// path.
func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil {
		os.Remove(f.Name())
	}
	return werr
}
