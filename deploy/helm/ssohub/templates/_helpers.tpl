{{/*
Object names are <fullname>-<component>, with fullname the release name unless overridden: the
docs and NOTES refer to `<release>-hub`, `<release>-kratos-public`, ..., which a chart-name
suffix would break. 40 characters leave room for the longest suffix (-kratos-courier) within
the 63 of a Service name.
*/}}
{{- define "ssohub.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ssohub.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "ssohub.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "ssohub.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ssohub
{{- end -}}

{{/* Selector labels of one component; called with (dict "root" $ "component" "hub"). */}}
{{- define "ssohub.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ssohub.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "ssohub.componentLabels" -}}
{{ include "ssohub.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "ssohub.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ssohub.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* An image reference from {repository, tag, digest}; called with (dict "root" $ "image" ...). */}}
{{- define "ssohub.image" -}}
{{- $tag := default .root.Chart.AppVersion .image.tag -}}
{{- if .image.digest -}}
{{- printf "%s:%s@%s" .image.repository $tag .image.digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Where every pod that reads Kratos' site file finds it. The `.yml` extension matters: Kratos
picks the parser from it. */}}
{{- define "ssohub.kratosSiteDir" -}}/run/secrets/kratos{{- end -}}
{{- define "ssohub.kratosSitePath" -}}/run/secrets/kratos/site.yml{{- end -}}
{{- define "ssohub.hubSecretsDir" -}}/run/secrets/ssohub{{- end -}}

{{/* The site-file volume, the same in every pod that mounts it. */}}
{{- define "ssohub.kratosSiteVolume" -}}
- name: kratos-site
  secret:
    secretName: {{ required "kratos.siteConfigSecret: name the existing Secret holding Kratos' site file (key site.yml)" .Values.kratos.siteConfigSecret }}
    defaultMode: 0440
    items:
      - key: site.yml
        path: site.yml
{{- end -}}

{{/* Kratos' arguments after the command: base config baked into the image, then the site file. */}}
{{- define "ssohub.kratosConfigArgs" -}}
- -c
- /etc/kratos/kratos.yml
- -c
- {{ include "ssohub.kratosSitePath" . }}
{{- end -}}

{{- define "ssohub.kratosEnv" -}}
- name: SQA_OPT_OUT
  value: "true"
{{- if .Values.tracing.otlpEndpoint }}
{{- /* Kratos' own tracing (ory/x otelx): OTLP over HTTP (protobuf) to host:port, which its schema
requires with the port (the scheme's default when the URL has none), plain HTTP when insecure.
Its sampler is parent-based like the hub's, so a request the hub traces is traced there too. */}}
{{- $otlp := urlParse .Values.tracing.otlpEndpoint }}
{{- $hostPort := $otlp.host }}
{{- if not (regexMatch ":[0-9]+$" $hostPort) }}
{{- $hostPort = printf "%s:%s" $hostPort (ternary "443" "80" (eq $otlp.scheme "https")) }}
{{- end }}
- name: TRACING_PROVIDER
  value: otel
- name: TRACING_SERVICE_NAME
  value: {{ .Values.tracing.kratosServiceName | quote }}
{{- with .Values.tracing.deploymentEnvironment }}
- name: TRACING_DEPLOYMENT_ENVIRONMENT
  value: {{ . | quote }}
{{- end }}
- name: TRACING_PROVIDERS_OTLP_SERVER_URL
  value: {{ $hostPort | quote }}
- name: TRACING_PROVIDERS_OTLP_INSECURE
  value: {{ eq $otlp.scheme "http" | quote }}
- name: TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO
  value: {{ .Values.tracing.samplingRatio | toString | quote }}
{{- end }}
{{- with .Values.kratos.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The hub's OTEL_* variables (tracing.otlpEndpoint set): the standard OpenTelemetry SDK
variables, read by the hub at startup. */}}
{{- define "ssohub.hubTracingEnv" -}}
{{- $attributes := dict "k8s.namespace.name" .Release.Namespace -}}
{{- with .Values.tracing.deploymentEnvironment }}{{ $_ := set $attributes "deployment.environment" . }}{{ end -}}
{{- range $k, $v := .Values.tracing.resourceAttributes }}{{ $_ := set $attributes $k $v }}{{ end -}}
{{- $pairs := list -}}
{{- range $k := keys $attributes | sortAlpha }}{{ $pairs = append $pairs (printf "%s=%s" $k (get $attributes $k | urlquery)) }}{{ end -}}
- name: K8S_POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .Values.tracing.otlpEndpoint | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ .Values.tracing.protocol | quote }}
- name: OTEL_SERVICE_NAME
  value: {{ .Values.tracing.hubServiceName | quote }}
- name: OTEL_TRACES_SAMPLER
  value: parentbased_traceidratio
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ .Values.tracing.samplingRatio | toString | quote }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ printf "%s,k8s.pod.name=$(K8S_POD_NAME)" (join "," $pairs) | quote }}
{{- end -}}

{{/* The hub's pods get a metrics sidecar, its Service and NetworkPolicy when Prometheus is to
scrape them: asked for directly (metrics.enabled) or through the ServiceMonitor. */}}
{{- define "ssohub.metricsExposed" -}}
{{- if or .Values.metrics.enabled .Values.metrics.serviceMonitor.enabled -}}true{{- end -}}
{{- end -}}

{{/* Topology spread constraints with the component's own selector filled in. */}}
{{- define "ssohub.topologySpread" -}}
{{- $root := .root -}}
{{- $component := .component -}}
{{- range .constraints }}
- topologyKey: {{ .topologyKey }}
  maxSkew: {{ .maxSkew | default 1 }}
  whenUnsatisfiable: {{ .whenUnsatisfiable | default "ScheduleAnyway" }}
  labelSelector:
    matchLabels:
      {{- include "ssohub.selectorLabels" (dict "root" $root "component" $component) | nindent 6 }}
  matchLabelKeys:
    - pod-template-hash
{{- end }}
{{- end -}}

{{/* Refuses values that would render a hub the hub itself refuses to start with in production. */}}
{{- define "ssohub.validate" -}}
{{- $url := required "publicUrl is required (https://<the hub's host>)" .Values.publicUrl -}}
{{- if not (hasPrefix "https://" $url) -}}
{{- fail (printf "publicUrl must be an https:// URL in production (got %q)" $url) -}}
{{- end -}}
{{- if not .Values.allowedReturnOrigins -}}
{{- fail "allowedReturnOrigins needs at least one client app origin (https://app.example.com)" -}}
{{- end -}}
{{- with .Values.tracing.otlpEndpoint -}}
{{- $u := urlParse . -}}
{{- if or (not (has $u.scheme (list "http" "https"))) (not $u.host) (not (has $u.path (list "" "/"))) $u.query -}}
{{- fail (printf "tracing.otlpEndpoint must be the collector's OTLP/HTTP base URL, scheme, host and port only, like http://otel-collector.observability:4318 (got %q): the hub appends /v1/traces and Kratos takes host:port" .) -}}
{{- end -}}
{{- end -}}
{{- if not .Values.hub.existingSecret -}}
{{- fail "hub.existingSecret: name the existing Secret with admin-token, cookie-keys, jwks.json and redis-url (README.md)" -}}
{{- end -}}
{{- end -}}
