// Command franz-go-perf is the franz-go driver for bench/peers/run.sh: it produces N records of S
// bytes with github.com/twmb/franz-go/pkg/kgo and prints one JSON line of throughput and
// send → acknowledgement latency. Mode send: Produce with a promise (Produce blocks while
// MaxBufferedRecords, 50,000 by default, are buffered); mode sync: ProduceSync, one record at a time.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	bootstrap := flag.String("bootstrap", "", "host:port[,host:port]")
	topic := flag.String("topic", "", "existing topic")
	numRecords := flag.Int("num-records", 0, "records to send")
	recordSize := flag.Int("record-size", 0, "value size in bytes")
	acks := flag.String("acks", "all", "all|1|0")
	idempotenceArg := flag.String("idempotence", "true", "true|false")
	lingerMs := flag.Int("linger-ms", 5, "linger.ms")
	batchSize := flag.Int("batch-size", 16384, "batch.size (ProducerBatchMaxBytes)")
	mode := flag.String("mode", "send", "send|sync")
	flag.Parse()
	idempotence := *idempotenceArg == "true"
	if flag.NArg() > 0 || (*idempotenceArg != "true" && *idempotenceArg != "false") {
		fail(fmt.Sprintf("unexpected arguments %q (--idempotence takes true|false)", flag.Args()))
	}
	if *bootstrap == "" || *topic == "" || *numRecords <= 0 || *recordSize < 0 || (*mode != "send" && *mode != "sync") {
		fail("bad arguments: need --bootstrap, --topic, --num-records > 0, --record-size >= 0, --mode send|sync")
	}

	opts := []kgo.Opt{
		kgo.SeedBrokers(strings.Split(*bootstrap, ",")...),
		kgo.DefaultProduceTopic(*topic),
		kgo.ProducerLinger(time.Duration(*lingerMs) * time.Millisecond),
		kgo.ProducerBatchMaxBytes(int32(*batchSize)),
		// Java's delivery.timeout.ms: kgo's default is no limit, and nothing may hang.
		kgo.RecordDeliveryTimeout(2 * time.Minute),
	}
	switch *acks {
	case "all", "-1":
		opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))
	case "1":
		opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()))
	case "0":
		opts = append(opts, kgo.RequiredAcks(kgo.NoAck()))
	default:
		fail("--acks must be all, 1 or 0")
	}
	if !idempotence {
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	client, err := kgo.NewClient(opts...)
	if err != nil {
		fail(err.Error())
	}

	value := make([]byte, *recordSize)
	for i := range value {
		value[i] = byte(65 + i%26)
	}
	latencies := make([]float64, *numRecords)
	var acked, failed atomic.Int64
	var firstErr atomic.Value
	done := func(i int, start time.Time, err error) {
		if err != nil {
			failed.Add(1)
			firstErr.CompareAndSwap(nil, err.Error())
			latencies[i] = math.NaN()
			return
		}
		latencies[i] = float64(time.Since(start).Nanoseconds()) / 1e6
		acked.Add(1)
	}

	ctx := context.Background()
	begin := time.Now()
	stop := make(chan struct{})
	go progress(begin, &acked, stop)
	if *mode == "sync" {
		for i := 0; i < *numRecords; i++ {
			start := time.Now()
			err := client.ProduceSync(ctx, &kgo.Record{Value: value}).FirstErr()
			done(i, start, err)
			if err != nil { // stop at the first failure: the rest count as failed
				for j := i + 1; j < *numRecords; j++ {
					done(j, start, err)
				}
				break
			}
		}
	} else {
		var wg sync.WaitGroup
		wg.Add(*numRecords)
		for i := 0; i < *numRecords; i++ {
			i, start := i, time.Now()
			client.Produce(ctx, &kgo.Record{Value: value}, func(_ *kgo.Record, err error) {
				done(i, start, err)
				wg.Done()
			})
		}
		wg.Wait()
	}
	elapsed := time.Since(begin).Seconds()
	close(stop)
	client.Close()
	if e := firstErr.Load(); e != nil {
		fmt.Fprintf(os.Stderr, "%d records failed; first error: %v\n", failed.Load(), e)
	}

	ok := make([]float64, 0, len(latencies))
	sum := 0.0
	for _, l := range latencies {
		if !math.IsNaN(l) {
			ok = append(ok, l)
			sum += l
		}
	}
	sort.Float64s(ok)
	pct := func(p float64) float64 {
		if len(ok) == 0 {
			return 0
		}
		return round(ok[min(len(ok)-1, int(float64(len(ok))*p))])
	}
	n := acked.Load()
	avg, maxMs := 0.0, 0.0
	if len(ok) > 0 {
		avg, maxMs = sum/float64(len(ok)), ok[len(ok)-1]
	}
	out, _ := json.Marshal(result{
		Client: "franz-go", ClientVersion: moduleVersion("github.com/twmb/franz-go"),
		Runtime: runtime.Version(), Mode: *mode, Records: *numRecords, RecordSize: *recordSize,
		Acked: n, Failed: failed.Load(),
		RecordsPerSec: round(float64(n) / elapsed),
		MBPerSec:      round(float64(n) * float64(*recordSize) / elapsed / 1048576),
		AvgMs:         round(avg), MaxMs: round(maxMs),
		P50: pct(0.5), P95: pct(0.95), P99: pct(0.99), P999: pct(0.999),
		Settings: fmt.Sprintf("ProducerLinger=%dms ProducerBatchMaxBytes=%d RequiredAcks=%s idempotent=%t"+
			" RecordDeliveryTimeout=120s"+
			" (kgo defaults: MaxBufferedRecords=50000, 5 produce requests in flight per broker when"+
			" idempotent else 1, UniformBytesPartitioner switching every 64 KiB, compression=none)",
			*lingerMs, *batchSize, *acks, idempotence),
	})
	fmt.Println(string(out))
	if failed.Load() > 0 {
		os.Exit(1)
	}
}

// result is the JSON line of the run.sh contract, fields in its order.
type result struct {
	Client        string  `json:"client"`
	ClientVersion string  `json:"clientVersion"`
	Runtime       string  `json:"runtime"`
	Mode          string  `json:"mode"`
	Records       int     `json:"records"`
	RecordSize    int     `json:"recordSize"`
	Acked         int64   `json:"acked"`
	Failed        int64   `json:"failed"`
	RecordsPerSec float64 `json:"recordsPerSec"`
	MBPerSec      float64 `json:"mbPerSec"`
	AvgMs         float64 `json:"avgMs"`
	MaxMs         float64 `json:"maxMs"`
	P50           float64 `json:"p50"`
	P95           float64 `json:"p95"`
	P99           float64 `json:"p99"`
	P999          float64 `json:"p999"`
	Settings      string  `json:"settings"`
}

// progress prints acknowledged records and their rate to stderr every 5 s until stop closes.
func progress(begin time.Time, acked *atomic.Int64, stop <-chan struct{}) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			n := acked.Load()
			fmt.Fprintf(os.Stderr, "%d records acked, %.0f records/sec\n", n, float64(n)/time.Since(begin).Seconds())
		}
	}
}

// moduleVersion is the version of a dependency as recorded in the binary's build info.
func moduleVersion(path string) string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == path {
				return strings.TrimPrefix(d.Version, "v")
			}
		}
	}
	return "unknown"
}

func round(x float64) float64 { return math.Round(x*1000) / 1000 }

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "franz-go-perf:", msg)
	os.Exit(2)
}
