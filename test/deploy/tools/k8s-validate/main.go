// Command k8s-validate checks a rendered Kubernetes manifest stream (the output of `helm template`)
// against the real API types of k8s.io/api, the way an API server would decode it in strict mode:
// each document's apiVersion and kind must name a type served by a current cluster, and the
// document must decode into that type with no unknown, duplicate or wrongly-cased fields. The
// prometheus-operator kinds (monitoring.coreos.com/v1: ServiceMonitor, PrometheusRule, ...) are
// decoded into the operator's own Go types the same way, plus the checks their CRD schemas and
// the operator's admission webhook add (duration patterns, record xor alert, one way to
// authenticate), since a typo there is silently dropped by a lenient client too. A chart
// that only "looks like" Kubernetes YAML (a typo in a field name, a removed API version) fails
// here instead of at `kubectl apply` time in someone's cluster.
//
//	helm template ssohub deploy/helm/ssohub | k8s-validate [--json]
//
// It prints one line per object ("ok <apiVersion> <kind> <name> (<source>)" or "FAIL ..."), exits
// 1 if any object fails or the stream holds no object, 2 on a usage error. With --json the lines
// go to stderr and stdout receives the objects, as rendered, as one JSON array, so a test can
// assert on them without a YAML parser of its own.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	nodev1 "k8s.io/api/node/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	storagev1 "k8s.io/api/storage/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Only generally available API groups: a chart that still renders a beta or removed version
// (policy/v1beta1, autoscaling/v2beta2, networking.k8s.io/v1beta1) must fail, since current
// clusters no longer serve them.
var groups = []func(*runtime.Scheme) error{
	corev1.AddToScheme,
	appsv1.AddToScheme,
	batchv1.AddToScheme,
	networkingv1.AddToScheme,
	policyv1.AddToScheme,
	autoscalingv1.AddToScheme,
	autoscalingv2.AddToScheme,
	rbacv1.AddToScheme,
	schedulingv1.AddToScheme,
	storagev1.AddToScheme,
	discoveryv1.AddToScheme,
	coordinationv1.AddToScheme,
	certificatesv1.AddToScheme,
	admissionregistrationv1.AddToScheme,
	nodev1.AddToScheme,
	// Not built in, but the CRDs every Prometheus Operator installation serves (kube-prometheus-stack
	// and the like): the chart's ServiceMonitor and PrometheusRule are applied against them.
	monitoringv1.AddToScheme,
}

var sourceComment = regexp.MustCompile(`(?m)^# Source: (.+)$`)

type result struct {
	line   string
	failed bool
	raw    json.RawMessage
}

func main() {
	asJSON := false
	for _, arg := range os.Args[1:] {
		switch arg {
		case "--json":
			asJSON = true
		case "-h", "--help":
			fmt.Println("usage: k8s-validate [--json] < manifests.yaml")
			return
		default:
			fmt.Fprintf(os.Stderr, "k8s-validate: unknown argument %q (usage: k8s-validate [--json] < manifests.yaml)\n", arg)
			os.Exit(2)
		}
	}
	scheme := runtime.NewScheme()
	for _, add := range groups {
		if err := add(scheme); err != nil {
			fmt.Fprintf(os.Stderr, "k8s-validate: building the scheme: %v\n", err)
			os.Exit(1)
		}
	}
	results, err := validateStream(scheme, os.Stdin)
	lines := os.Stdout
	if asJSON {
		lines = os.Stderr
	}
	failed := false
	objects := []json.RawMessage{}
	for _, r := range results {
		fmt.Fprintln(lines, r.line)
		failed = failed || r.failed
		if !r.failed {
			objects = append(objects, r.raw)
		}
	}
	if err != nil {
		fmt.Fprintf(lines, "FAIL reading the stream: %v\n", err)
		failed = true
	} else if len(results) == 0 {
		// An empty stream is what a failed `helm template | k8s-validate` pipe looks like.
		fmt.Fprintln(lines, "FAIL the stream holds no Kubernetes object")
		failed = true
	}
	if asJSON {
		out, err := json.Marshal(objects)
		if err != nil {
			fmt.Fprintf(os.Stderr, "k8s-validate: encoding the objects: %v\n", err)
			os.Exit(1)
		}
		os.Stdout.Write(append(out, '\n'))
	}
	if failed {
		os.Exit(1)
	}
}

func validateStream(scheme *runtime.Scheme, in io.Reader) ([]result, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	seen := map[string]string{}
	var results []result
	for index := 1; ; index++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return results, nil
		}
		if err != nil {
			return results, err
		}
		if isBlank(doc) {
			continue
		}
		source := fmt.Sprintf("document %d", index)
		if m := sourceComment.FindSubmatch(doc); m != nil {
			source = string(m[1])
		}
		id, raw, err := validateDocument(scheme, doc)
		if err == nil {
			if previous, dup := seen[id]; dup {
				err = fmt.Errorf("same kind, namespace and name as %s: the second would overwrite the first", previous)
			}
			seen[id] = source
		}
		if err != nil {
			results = append(results, result{line: fmt.Sprintf("FAIL %s (%s): %v", id, source, err), failed: true})
			continue
		}
		results = append(results, result{line: fmt.Sprintf("ok %s (%s)", id, source), raw: raw})
	}
}

// validateDocument returns "<apiVersion> <kind> [<namespace>/]<name>" and the document as JSON.
func validateDocument(scheme *runtime.Scheme, doc []byte) (string, json.RawMessage, error) {
	// YAMLToJSONStrict refuses duplicate keys, which a lenient parser would silently collapse.
	raw, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return "(unparsed)", nil, fmt.Errorf("not valid YAML: %w", err)
	}
	var meta struct {
		metav1.TypeMeta `json:",inline"`
		Metadata        struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return "(unparsed)", nil, fmt.Errorf("not a Kubernetes object: %w", err)
	}
	name := meta.Metadata.Name
	if meta.Metadata.Namespace != "" {
		name = meta.Metadata.Namespace + "/" + name
	}
	id := fmt.Sprintf("%s %s %s", meta.APIVersion, meta.Kind, name)
	if meta.APIVersion == "" || meta.Kind == "" {
		return id, nil, errors.New("apiVersion and kind are required")
	}
	gv, err := schema.ParseGroupVersion(meta.APIVersion)
	if err != nil {
		return id, nil, err
	}
	gvk := gv.WithKind(meta.Kind)
	obj, err := scheme.New(gvk)
	if err != nil {
		return id, nil, fmt.Errorf("unknown kind %s: not a generally available Kubernetes API type", gvk)
	}
	// The same strict decode sigs.k8s.io/yaml offers to every Kubernetes client: unknown fields fail.
	if err := yaml.UnmarshalStrict(doc, obj); err != nil {
		return id, nil, fmt.Errorf("strict decoding into %T: %w", obj, err)
	}
	// encoding/json (under sigs.k8s.io/yaml) matches field names case-insensitively and reads
	// YAML scalars with the target type in hand; the API server receives JSON converted without
	// it (kubectl and Helm send `on` as true, so a label value `on` fails) and matches fields
	// case-sensitively ("Replicas" is unknown there). So decode again what it would receive.
	fresh, _ := scheme.New(gvk)
	strictErrs, err := kjson.UnmarshalStrict(raw, fresh)
	if err != nil {
		return id, nil, fmt.Errorf("case-sensitive decoding into %T: %w", fresh, err)
	}
	if len(strictErrs) > 0 {
		return id, nil, fmt.Errorf("case-sensitive decoding into %T: %v", fresh, errors.Join(strictErrs...))
	}
	object, ok := obj.(metav1.Object)
	if !ok {
		return id, nil, fmt.Errorf("%s is not a single API object (lists and options cannot be applied)", gvk)
	}
	if err := checkMetadata(gvk, object); err != nil {
		return id, nil, err
	}
	if err := checkSelector(obj); err != nil {
		return id, nil, err
	}
	if err := checkMonitoring(obj); err != nil {
		return id, nil, err
	}
	return id, json.RawMessage(raw), nil
}

// checkMetadata applies the API server's rules for names, labels and annotations, which decoding
// alone does not: a Service name longer than 63 characters decodes fine and is still refused.
func checkMetadata(gvk schema.GroupVersionKind, object metav1.Object) error {
	var problems []string
	name := object.GetName()
	nameCheck := apivalidation.NameIsDNSSubdomain
	if gvk.Group == "" && gvk.Kind == "Service" {
		nameCheck = apivalidation.NameIsDNS1035Label
	}
	if name == "" {
		problems = append(problems, "metadata.name is required (generateName is not supported by `kubectl apply`/Helm)")
	} else {
		for _, msg := range nameCheck(name, false) {
			problems = append(problems, fmt.Sprintf("metadata.name %q: %s", name, msg))
		}
	}
	path := field.NewPath("metadata")
	for _, e := range metav1validation.ValidateLabels(object.GetLabels(), path.Child("labels")) {
		problems = append(problems, e.Error())
	}
	for _, e := range apivalidation.ValidateAnnotations(object.GetAnnotations(), path.Child("annotations")) {
		problems = append(problems, e.Error())
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// checkSelector refuses a workload whose selector does not select its own pod template, which
// the API server rejects ("selector does not match template labels").
func checkSelector(obj runtime.Object) error {
	var selector *metav1.LabelSelector
	var template map[string]string
	switch o := obj.(type) {
	case *appsv1.Deployment:
		selector, template = o.Spec.Selector, o.Spec.Template.Labels
	case *appsv1.StatefulSet:
		selector, template = o.Spec.Selector, o.Spec.Template.Labels
	case *appsv1.DaemonSet:
		selector, template = o.Spec.Selector, o.Spec.Template.Labels
	case *appsv1.ReplicaSet:
		selector, template = o.Spec.Selector, o.Spec.Template.Labels
	default:
		return nil
	}
	if selector == nil {
		return errors.New("spec.selector is required")
	}
	parsed, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil {
		return fmt.Errorf("spec.selector: %w", err)
	}
	if parsed.Empty() || !parsed.Matches(labels.Set(template)) {
		return errors.New("spec.selector does not match spec.template.metadata.labels")
	}
	return nil
}

func isBlank(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		trimmed := bytes.TrimSpace(line)
		if len(trimmed) > 0 && trimmed[0] != '#' && !bytes.Equal(trimmed, []byte("---")) {
			return false
		}
	}
	return true
}
