package cql2

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a token of CQL2 text.
type tokKind int

const (
	tokEOF    tokKind = iota
	tokIdent          // a name or keyword
	tokQuoted         // a "double-quoted" property name
	tokString         // a 'single-quoted' text literal
	tokNumber
	tokPunct // ( ) , = <> < > <= >=
)

// token is a token of CQL2 text and its byte offset.
type token struct {
	kind tokKind
	text string // the name, the literal's value or the punctuation
	pos  int
}

// is reports whether t is the keyword or punctuation s (keywords ignore
// case).
func (t token) is(s string) bool {
	switch t.kind {
	case tokIdent:
		return strings.EqualFold(t.text, s)
	case tokPunct:
		return t.text == s
	}
	return false
}

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "the end of the filter"
	case tokString:
		return "text '" + truncate(t.text) + "'"
	case tokQuoted:
		return "property \"" + truncate(t.text) + "\""
	}
	return "\"" + truncate(t.text) + "\""
}

func truncate(s string) string {
	if len(s) > 40 {
		i := 40
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		return s[:i] + "…"
	}
	return s
}

// lex splits CQL2 text into tokens.
func lex(s string) ([]token, error) {
	var out []token
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return nil, &SyntaxError{Pos: i, Msg: "the filter is not valid UTF-8"}
		case unicode.IsSpace(r):
			i += size
		case r == '(' || r == ')' || r == ',' || r == '=':
			out = append(out, token{tokPunct, string(r), i})
			i++
		case r == '<':
			if strings.HasPrefix(s[i:], "<>") || strings.HasPrefix(s[i:], "<=") {
				out = append(out, token{tokPunct, s[i : i+2], i})
				i += 2
			} else {
				out = append(out, token{tokPunct, "<", i})
				i++
			}
		case r == '>':
			if strings.HasPrefix(s[i:], ">=") {
				out = append(out, token{tokPunct, ">=", i})
				i += 2
			} else {
				out = append(out, token{tokPunct, ">", i})
				i++
			}
		case r == '!' && strings.HasPrefix(s[i:], "!="):
			return nil, &SyntaxError{Pos: i, Msg: "CQL2 writes \"not equal\" as <>, not !="}
		case r == '\'':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, &SyntaxError{Pos: i, Msg: "text literal is not closed (a quote ' is written '')"}
				}
				if s[j] == '\'' {
					if j+1 < len(s) && s[j+1] == '\'' {
						b.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			out = append(out, token{tokString, b.String(), i})
			i = j + 1
		case r == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return nil, &SyntaxError{Pos: i, Msg: "quoted property name is not closed"}
			}
			if j == 0 {
				return nil, &SyntaxError{Pos: i, Msg: "empty property name"}
			}
			out = append(out, token{tokQuoted, s[i+1 : i+1+j], i})
			i += j + 2
		case r == '-' || r == '+' || r == '.' || (r >= '0' && r <= '9'):
			j := scanNumber(s, i)
			if j == i {
				return nil, &SyntaxError{Pos: i, Msg: "\"" + string(r) + "\" does not start a number"}
			}
			out = append(out, token{tokNumber, s[i:j], i})
			i = j
		case r == '_' || unicode.IsLetter(r):
			j := i + size
			for j < len(s) {
				r2, n := utf8.DecodeRuneInString(s[j:])
				if r2 == '_' || r2 == '.' || r2 == ':' || unicode.IsLetter(r2) || unicode.IsDigit(r2) {
					j += n
					continue
				}
				break
			}
			out = append(out, token{tokIdent, s[i:j], i})
			i = j
		default:
			return nil, &SyntaxError{Pos: i, Msg: "unexpected character " + strconvQuote(r)}
		}
	}
	out = append(out, token{tokEOF, "", len(s)})
	return out, nil
}

func strconvQuote(r rune) string {
	if unicode.IsPrint(r) {
		return "\"" + string(r) + "\""
	}
	return fmt.Sprintf("U+%04X", r)
}

// scanNumber returns the end of the decimal number starting at i (i when
// there is none): an optional sign, digits with at most one point, an
// optional exponent.
func scanNumber(s string, i int) int {
	j := i
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	digits := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
			digits++
		}
	}
	if digits == 0 {
		return i
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		e := k
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k > e {
			j = k
		}
	}
	return j
}
