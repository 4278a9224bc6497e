package graph

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// memoryLimit is the most bytes one parameter may take: the machine's memory
// (MemTotal of /proc/meminfo), or 1 TB where that cannot be read. A weight beyond
// it cannot be allocated, and asking would crash the process instead of failing.
func memoryLimit() float64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 1e12
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			if kb, err := strconv.ParseFloat(fields[1], 64); err == nil && kb > 0 {
				return kb * 1024
			}
		}
	}
	return 1e12
}
