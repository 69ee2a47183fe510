package main

import "testing"

func TestTallyGoTest(t *testing.T) {
	var ta tally
	in := `{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"fail","Package":"p","Test":"TestB"}
{"Action":"skip","Package":"p","Test":"TestC"}
{"Action":"fail","Package":"p"}
{"Action":"output","Package":"p","Test":"TestA","Output":"x"}
`
	if err := ta.goTest([]byte(in), "f"); err != nil {
		t.Fatal(err)
	}
	if ta.passed != 1 || ta.failed != 2 || ta.skipped != 1 {
		t.Fatalf("got %+v", ta)
	}
}

func TestTallyGinkgoCountsSuiteFailures(t *testing.T) {
	var ta tally
	in := `[{"SuiteDescription":"Crash suite","SuiteSucceeded":false,"SpecReports":[
{"LeafNodeType":"SynchronizedBeforeSuite","State":"failed"},
{"LeafNodeType":"It","LeafNodeText":"a","State":"skipped"}]},
{"SuiteDescription":"Other","SuiteSucceeded":true,"SpecReports":[
{"LeafNodeType":"It","LeafNodeText":"b","State":"passed"},
{"LeafNodeType":"It","LeafNodeText":"c","State":"passed"}]}]`
	if err := ta.ginkgo([]byte(in), "f"); err != nil {
		t.Fatal(err)
	}
	if ta.passed != 2 || ta.failed != 1 || ta.skipped != 1 {
		t.Fatalf("got %+v", ta)
	}
}
