package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func httpJSON(t *testing.T, method, url, body string, wantStatus int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: status %d (%s), want %d", method, url, resp.StatusCode, b, wantStatus)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, b)
		}
	}
}

func TestControlAPI(t *testing.T) {
	r := startRun(t, testConfig(t, 3, "127.0.0.1"))
	base := "http://" + r.ready.ControlAddr

	var health struct {
		Status  string      `json:"status"`
		Brokers []boundAddr `json:"brokers"`
	}
	httpJSON(t, "GET", base+"/healthz", "", 200, &health)
	if health.Status != "ok" || len(health.Brokers) != 3 || health.Brokers[2] != r.ready.Brokers[2] {
		t.Fatalf("healthz = %+v", health)
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(r.ready.Brokers[0].Listen))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	findCoord := func(group string) kmsg.FindCoordinatorResponseCoordinator {
		t.Helper()
		req := kmsg.NewPtrFindCoordinatorRequest()
		req.CoordinatorKey = group
		req.CoordinatorKeys = []string{group}
		resp, err := cl.SeedBrokers()[0].Request(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.(*kmsg.FindCoordinatorResponse).Coordinators[0]
	}

	// /coordinator agrees with FindCoordinator.
	var co struct {
		Group     string `json:"group"`
		Node      int32  `json:"node"`
		Advertise string `json:"advertise"`
	}
	for _, g := range []string{"g1", "feed-workers", "x"} {
		httpJSON(t, "GET", base+"/coordinator?group="+g, "", 200, &co)
		if fc := findCoord(g); fc.NodeID != co.Node || co.Advertise != r.ready.Brokers[co.Node].Advertise {
			t.Errorf("group %s: /coordinator %+v, FindCoordinator node %d", g, co, fc.NodeID)
		}
	}
	httpJSON(t, "GET", base+"/coordinator", "", 400, nil)
	httpJSON(t, "GET", base+"/group?group=nobody", "", 404, nil)

	// A fault on FindCoordinator for one group, by name, twice.
	var added struct{ ID string }
	httpJSON(t, "POST", base+"/faults",
		`{"keys":["find_coordinator"],"group":"g1","error":"COORDINATOR_NOT_AVAILABLE","count":2}`, 201, &added)
	for i := range 3 {
		fc := findCoord("g1")
		want := int16(0)
		if i < 2 {
			want = kerr.CoordinatorNotAvailable.Code
		}
		if fc.ErrorCode != want {
			t.Errorf("request %d: error code %d, want %d", i, fc.ErrorCode, want)
		}
	}
	if fc := findCoord("g2"); fc.ErrorCode != 0 {
		t.Errorf("other group faulted: %d", fc.ErrorCode)
	}

	// An unlimited fault by key number and error code, then removed.
	var added2 struct{ ID string }
	httpJSON(t, "POST", base+"/faults", `{"keys":[10],"error":15,"count":-1}`, 201, &added2)
	if fc := findCoord("g3"); fc.ErrorCode != kerr.CoordinatorNotAvailable.Code {
		t.Errorf("numeric fault did not bite: %d", fc.ErrorCode)
	}
	var list []struct {
		ID   string `json:"id"`
		Hits int    `json:"hits"`
	}
	httpJSON(t, "GET", base+"/faults", "", 200, &list)
	if len(list) != 2 || list[0].ID != added.ID || list[0].Hits != 2 || list[1].Hits != 1 {
		t.Errorf("faults = %+v", list)
	}
	var del struct {
		ID   string `json:"id"`
		Hits int    `json:"hits"`
	}
	httpJSON(t, "DELETE", base+"/faults/"+added2.ID, "", 200, &del)
	if del.Hits != 1 {
		t.Errorf("delete = %+v", del)
	}
	httpJSON(t, "DELETE", base+"/faults/"+added2.ID, "", 404, nil)
	if fc := findCoord("g3"); fc.ErrorCode != 0 {
		t.Errorf("removed fault still bites: %d", fc.ErrorCode)
	}

	for _, bad := range []string{
		`{"keys":["NoSuchRequest"]}`,
		`{"keys":[9999]}`,
		`{"error":"NOT_A_KAFKA_ERROR"}`,
		`{"error":0}`,
		`{"count":-2}`,
		`{"unknown_field":1}`,
		`not json`,
	} {
		httpJSON(t, "POST", base+"/faults", bad, 400, nil)
	}
}

func TestParseKeyAndError(t *testing.T) {
	for in, want := range map[string]kmsg.Key{`"Heartbeat"`: 12, `"join_group"`: 11, `"OFFSET-COMMIT"`: 8, `14`: 14, `"68"`: 68} {
		got, err := parseKey(json.RawMessage(in))
		if err != nil || got != want {
			t.Errorf("parseKey(%s) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, want := range map[string]*kerr.Error{`"REBALANCE_IN_PROGRESS"`: kerr.RebalanceInProgress, `"unknown_member_id"`: kerr.UnknownMemberID, `-1`: kerr.UnknownServerError, `"25"`: kerr.UnknownMemberID} {
		got, err := parseKafkaErr(json.RawMessage(in))
		if err != nil || got != want {
			t.Errorf("parseKafkaErr(%s) = %v, %v; want %v", in, got, err, want)
		}
	}
}
