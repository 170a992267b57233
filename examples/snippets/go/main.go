// Validate Chatwoot webhook bodies in Go against hookcheck's contract.
//
// Go has no JSON Schema 2020-12 validator in the standard library. This snippet uses
// github.com/xeipuuv/gojsonschema (a draft-07 engine, packaged by Debian as
// golang-github-xeipuuv-gojsonschema-dev) on the BUNDLE that `hookcheck schemas export --format bundle`
// writes: the bundle uses only keywords whose meaning is the same in draft-07 and 2020-12 (no $ref with
// siblings, local references only), so a draft-07 engine gives the same verdicts. hookcheck's .ci/exports
// builds and runs this file against the fixtures and a generated corpus and compares every verdict.
//
//	hookcheck schemas export --format bundle --release 4.15.1 --out chatwoot-webhook.bundle.json
//	go run . --bundle chatwoot-webhook.bundle.json body.json more.ndjson
//
// Prints one JSON line per body: {"source", "line", "valid", "errors": [{"pointer", "keyword", "message"}]}.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xeipuuv/gojsonschema"
)

// ---- The four custom formats (see schemas/README.md) ----

var isoRe = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{3})Z$`)
var jsDateRe = regexp.MustCompile(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ` +
	`([0-9]{2}) ([0-9]{4}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT([+-])([0-9]{2})([0-9]{2})( \(((?s).+)\))?$`)
var months = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// realDateTime: a real proleptic-Gregorian date (year >= 1) and a time without leap second.
func realDateTime(y, mo, d, h, mi, s int) bool {
	if y < 1 || mo < 1 || mo > 12 || h > 23 || mi > 59 || s > 59 || d < 1 {
		return false
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d // time.Date normalises Feb 30 to Mar 2
}

type iso8601MsUTC struct{}

func (iso8601MsUTC) IsFormat(input interface{}) bool {
	s, ok := input.(string)
	if !ok {
		return true
	}
	m := isoRe.FindStringSubmatch(s)
	return m != nil && realDateTime(atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5]), atoi(m[6]))
}

type jsDate struct{}

func (jsDate) IsFormat(input interface{}) bool {
	s, ok := input.(string)
	if !ok {
		return true
	}
	m := jsDateRe.FindStringSubmatch(s)
	if m == nil {
		return false
	}
	month := 0
	for i, name := range months {
		if name == m[2] {
			month = i + 1
		}
	}
	y, d := atoi(m[4]), atoi(m[3])
	if !realDateTime(y, month, d, atoi(m[5]), atoi(m[6]), atoi(m[7])) {
		return false
	}
	offH, offM := atoi(m[9]), atoi(m[10])
	if offH > 14 || offM > 59 || offH*60+offM > 14*60 || (m[8] == "-" && offH == 0 && offM == 0) {
		return false // browsers print UTC as GMT+0000, never -0000
	}
	if m[11] != "" && (m[12] == "" || strings.ContainsAny(m[12], "()")) {
		return false
	}
	return time.Date(y, time.Month(month), d, 0, 0, 0, 0, time.UTC).Weekday().String()[:3] == m[1]
}

// unix-seconds and unix-float annotate numbers; the schemas bound them with minimum/maximum.
type anyValue struct{}

func (anyValue) IsFormat(interface{}) bool { return true }

// ---- Validation ----

type verdict struct {
	Source string      `json:"source"`
	Line   *int        `json:"line"`
	Valid  bool        `json:"valid"`
	Errors []errorLine `json:"errors"`
}

type errorLine struct {
	Pointer string `json:"pointer"`
	Keyword string `json:"keyword"`
	Message string `json:"message"`
}

func pointer(field string) string {
	if field == "(root)" {
		return ""
	}
	return "/" + strings.ReplaceAll(field, ".", "/") // gojsonschema joins path segments with dots
}

func check(schema *gojsonschema.Schema, source string, line *int, body []byte) verdict {
	v := verdict{Source: source, Line: line, Errors: []errorLine{}}
	var doc interface{}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		v.Errors = append(v.Errors, errorLine{"", "json", err.Error()})
		return v
	}
	// A recorded delivery {"headers": ..., "body": {...}} without a top-level event: check its body.
	if obj, ok := doc.(map[string]interface{}); ok {
		if _, has := obj["event"]; !has {
			if b, ok := obj["body"].(map[string]interface{}); ok {
				doc = b
			}
		}
	}
	if _, ok := doc.(map[string]interface{}); !ok {
		v.Errors = append(v.Errors, errorLine{"", "json", "record is not an object"})
		return v
	}
	result, err := schema.Validate(gojsonschema.NewGoLoader(doc))
	if err != nil {
		v.Errors = append(v.Errors, errorLine{"", "error", err.Error()})
		return v
	}
	for _, e := range result.Errors() {
		v.Errors = append(v.Errors, errorLine{pointer(e.Field()), e.Type(), e.Description()})
	}
	v.Valid = result.Valid()
	return v
}

func main() {
	args := os.Args[1:]
	if len(args) < 2 || args[0] != "--bundle" {
		fmt.Fprintln(os.Stderr, "usage: go run . --bundle BUNDLE.json FILE.json|FILE.ndjson...")
		os.Exit(2)
	}
	bundle, err := os.ReadFile(args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	gojsonschema.FormatCheckers.Add("iso8601-ms-utc", iso8601MsUTC{})
	gojsonschema.FormatCheckers.Add("js-date", jsDate{})
	gojsonschema.FormatCheckers.Add("unix-seconds", anyValue{})
	gojsonschema.FormatCheckers.Add("unix-float", anyValue{})

	loader := gojsonschema.NewSchemaLoader()
	loader.Draft = gojsonschema.Draft7 // the bundle's keywords mean the same in draft-07
	loader.AutoDetect = false          // the engine does not know the 2020-12 $schema URI
	loader.Validate = false
	schema, err := loader.Compile(gojsonschema.NewBytesLoader(bundle))
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot compile the bundle:", err)
		os.Exit(2)
	}

	out := json.NewEncoder(os.Stdout)
	for _, file := range args[2:] {
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if strings.HasSuffix(file, ".ndjson") || strings.HasSuffix(file, ".jsonl") {
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(make([]byte, 1<<20), 64<<20)
			for n := 1; sc.Scan(); n++ {
				if strings.TrimSpace(sc.Text()) == "" {
					continue
				}
				line := n
				_ = out.Encode(check(schema, file, &line, sc.Bytes()))
			}
		} else {
			_ = out.Encode(check(schema, file, nil, data))
		}
	}
}
