package server_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/durandline/durand/data"
	"github.com/durandline/durand/server"
)

func ExampleNew() {
	a, err := data.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	h, err := server.New(server.Config{Atlas: a, BaseURL: "https://maps.example.org/durand"})
	if err != nil {
		fmt.Println(err)
		return
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/collections", nil))
	var doc struct {
		Collections []struct{ ID string } `json:"collections"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	for _, c := range doc.Collections {
		fmt.Println(c.ID)
	}

	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/border/point?km=abc", nil))
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// 200 application/json
	// border
	// countries
	// provinces
	// crossings
	// events
	// zones
	// crossing_status
	// 400 {"code":"InvalidParameterValue","description":"parameter \"km\": \"abc\" is not a decimal number"}
}

func ExampleConfig_Validate() {
	err := server.Config{BaseURL: "/relative", CORSOrigins: []string{"*"}}.Validate()
	fmt.Println(errors.Is(err, server.ErrConfig))
	fmt.Println(server.Config{BaseURL: "https://example.org/durand", CORSOrigins: []string{"https://app.example.org"}}.Validate())
	// Output:
	// true
	// <nil>
}
