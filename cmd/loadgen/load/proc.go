package load

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Process is one service process whose memory the report shows.
type Process struct {
	Name string `json:"name"`
	PID  int    `json:"pid"`
}

// Memory is a process's resident set at one moment, from /proc/<pid>/status.
type Memory struct {
	RSSKiB  int64 `json:"rssKiB"`  // VmRSS: resident now
	PeakKiB int64 `json:"peakKiB"` // VmHWM: the highest resident set so far
}

// ErrNoProcess is returned for a pid that does not exist (any more).
var ErrNoProcess = errors.New("no such process")

// ParsePIDs reads "name=pid,name=pid".
func ParsePIDs(s string) ([]Process, error) {
	var out []Process
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		name, pid, ok := strings.Cut(f, "=")
		n, err := strconv.Atoi(pid)
		if !ok || name == "" || err != nil || n <= 0 {
			return nil, fmt.Errorf("%q: want name=pid with a positive pid", f)
		}
		out = append(out, Process{Name: name, PID: n})
	}
	return out, nil
}

// ReadMemory reads the resident set of pid under procRoot (normally /proc).
func ReadMemory(procRoot string, pid int) (Memory, error) {
	b, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "status"))
	if errors.Is(err, os.ErrNotExist) {
		return Memory{}, fmt.Errorf("pid %d: %w", pid, ErrNoProcess)
	}
	if err != nil {
		return Memory{}, err
	}
	return parseStatus(b)
}

func parseStatus(b []byte) (Memory, error) {
	var m Memory
	found := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		f := strings.Fields(val)
		if len(f) != 2 || f[1] != "kB" {
			return Memory{}, fmt.Errorf("status: unexpected %s line %q", key, sc.Text())
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("status: %s: %w", key, err)
		}
		if key == "VmRSS" {
			m.RSSKiB, found = n, true
		} else {
			m.PeakKiB = n
		}
	}
	if !found {
		// Kernel threads and zombies have no VmRSS line.
		return Memory{}, errors.New("status: no VmRSS line")
	}
	return m, sc.Err()
}

// FindByName returns the processes whose command name (/proc/<pid>/comm, the
// executable's first 15 bytes) is one of names.
func FindByName(procRoot string, names []string) ([]Process, error) {
	want := map[string]bool{}
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			want[truncComm(n)] = true
		}
	}
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, err
	}
	var out []Process
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join(procRoot, e.Name(), "comm"))
		if err != nil {
			continue // gone meanwhile
		}
		if name := strings.TrimSpace(string(b)); want[name] {
			out = append(out, Process{Name: name, PID: pid})
		}
	}
	return out, nil
}

func truncComm(n string) string {
	if len(n) > 15 {
		return n[:15]
	}
	return n
}

// ListenerPID finds the process listening on TCP port (IPv4 or IPv6) by
// matching the socket inode of /proc/net/tcp{,6} with the processes' open
// file descriptors. Reading another user's descriptors needs privileges; a
// process that cannot be inspected is skipped.
func ListenerPID(procRoot string, port int) (Process, error) {
	inodes := map[string]bool{}
	for _, f := range []string{"net/tcp", "net/tcp6"} {
		b, err := os.ReadFile(filepath.Join(procRoot, f))
		if err != nil {
			continue
		}
		for ino := range listeningInodes(b, port) {
			inodes[ino] = true
		}
	}
	if len(inodes) == 0 {
		return Process{}, fmt.Errorf("nothing listens on port %d", port)
	}
	entries, err := os.ReadDir(procRoot)
	if err != nil {
		return Process{}, err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		fds, err := os.ReadDir(filepath.Join(procRoot, e.Name(), "fd"))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(procRoot, e.Name(), "fd", fd.Name()))
			if err != nil || !strings.HasPrefix(link, "socket:[") {
				continue
			}
			if inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] {
				b, _ := os.ReadFile(filepath.Join(procRoot, e.Name(), "comm"))
				return Process{Name: strings.TrimSpace(string(b)), PID: pid}, nil
			}
		}
	}
	return Process{}, fmt.Errorf("the listener on port %d belongs to no process this user can inspect", port)
}

// listeningInodes yields the inodes of sockets in state LISTEN (0A) on port
// in the text of /proc/net/tcp (columns: sl local rem st … uid timeout inode).
func listeningInodes(table []byte, port int) map[string]bool {
	out := map[string]bool{}
	hexPort := fmt.Sprintf("%04X", port)
	sc := bufio.NewScanner(bytes.NewReader(table))
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[3] != "0A" {
			continue
		}
		_, p, ok := strings.Cut(f[1], ":")
		if ok && strings.EqualFold(p, hexPort) {
			out[f[9]] = true
		}
	}
	return out
}
