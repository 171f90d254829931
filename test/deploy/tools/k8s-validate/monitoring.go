package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The patterns of the CRDs' `Duration` and `NonEmptyDuration` (kubebuilder markers in
// monitoring/v1/types.go): the API server refuses "30 s" or "1min" through the CRD's OpenAPI
// schema, which decoding into a Go string does not check.
var (
	durationPattern         = regexp.MustCompile(`^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$`)
	nonEmptyDurationPattern = regexp.MustCompile(`^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$`)
)

// checkMonitoring applies to the prometheus-operator kinds what their CRD schemas and the
// operator's admission webhook check beyond the field names.
func checkMonitoring(obj runtime.Object) error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	duration := func(path, value string) {
		if value != "" && !durationPattern.MatchString(value) {
			add("%s: %q is not a Prometheus duration (e.g. 30s, 1m, 1h30m)", path, value)
		}
	}
	switch o := obj.(type) {
	case *monitoringv1.ServiceMonitor:
		if len(o.Spec.Endpoints) == 0 {
			add("spec.endpoints: at least one endpoint is required, or nothing is scraped")
		}
		if len(o.Spec.Selector.MatchLabels) == 0 && len(o.Spec.Selector.MatchExpressions) == 0 {
			add("spec.selector: an empty selector selects every Service of the namespace")
		}
		for i, e := range o.Spec.Endpoints {
			path := fmt.Sprintf("spec.endpoints[%d]", i)
			if e.Port == "" && e.TargetPort == nil {
				add("%s: port (a Service port name) or targetPort is required", path)
			}
			duration(path+".interval", string(e.Interval))
			duration(path+".scrapeTimeout", string(e.ScrapeTimeout))
			if err := e.HTTPConfigWithProxyAndTLSFiles.Validate(); err != nil {
				add("%s: %v", path, err)
			}
			if a := e.Authorization; a != nil && a.Credentials != nil && (a.Credentials.Name == "" || a.Credentials.Key == "") {
				add("%s.authorization.credentials: name and key are required", path)
			}
		}
	case *monitoringv1.PrometheusRule:
		seen := map[string]bool{}
		for i, g := range o.Spec.Groups {
			path := fmt.Sprintf("spec.groups[%d]", i)
			if g.Name == "" {
				add("%s.name is required", path)
			} else if seen[g.Name] {
				add("%s.name %q: group names must be unique (Prometheus refuses the file)", path, g.Name)
			}
			seen[g.Name] = true
			if g.Interval != nil {
				duration(path+".interval", string(*g.Interval))
			}
			if g.QueryOffset != nil {
				duration(path+".query_offset", string(*g.QueryOffset))
			}
			for j, r := range g.Rules {
				rpath := fmt.Sprintf("%s.rules[%d]", path, j)
				if (r.Record == "") == (r.Alert == "") {
					add("%s: exactly one of record and alert is required", rpath)
				}
				if r.Expr.Type == intstr.String && strings.TrimSpace(r.Expr.StrVal) == "" {
					add("%s.expr is required", rpath)
				}
				if r.For != nil {
					duration(rpath+".for", string(*r.For))
				}
				if r.KeepFiringFor != nil && !nonEmptyDurationPattern.MatchString(string(*r.KeepFiringFor)) {
					add("%s.keep_firing_for: %q is not a Prometheus duration", rpath, *r.KeepFiringFor)
				}
				if r.Record != "" && (r.For != nil || len(r.Annotations) > 0) {
					add("%s: a recording rule takes no for or annotations", rpath)
				}
			}
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}
