export const id = 355;
export const ids = [355];
export const modules = {

/***/ 5355:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  releaseAnalysisOf: () => (/* binding */ releaseAnalysisOf)
});

// EXTERNAL MODULE: ./packages/core/src/errors.ts
var src_errors = __webpack_require__(7638);
// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __webpack_require__(8815);
;// CONCATENATED MODULE: ./packages/core/src/yaml-source.ts


// An alias bomb ("billion laughs") expands a few lines into gigabytes; real config never needs this many.
const MAX_ALIAS_COUNT = 50;
/**
 * Parses every document of a YAML stream, refusing what would make the result ambiguous or unsafe:
 * syntax errors, duplicate keys and alias bombs are UserErrors at file:line.
 */
function parseYamlStream(text, file) {
    const lineCounter = new dist/* LineCounter */.HN();
    const documents = (0,dist/* parseAllDocuments */.hR)(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
    const list = Array.isArray(documents) ? documents : [documents];
    for (const document of list) {
        const problem = document.errors[0] ?? document.warnings.find((w) => w.code === 'DUPLICATE_KEY');
        if (problem) {
            const pos = lineCounter.linePos(problem.pos[0]);
            throw new src_errors/* UserError */.yo(`${describeYamlProblem(problem.code, problem.message)} in ${file}`, {
                file,
                line: pos.line,
                column: pos.col
            });
        }
        // An alias is written `*name`: a text without `*` has none, and is spared a trial conversion.
        if (text.includes('*'))
            rejectAliasBombs(document, file, lineCounter);
    }
    return list.filter((d) => d.contents !== null).map((document) => ({ file, document, lineCounter }));
}
/** Parses a file that must hold exactly one YAML document (a kustomization, gitops.yaml). */
function parseYamlFile(text, file) {
    const documents = parseYamlStream(text, file);
    if (documents.length > 1) {
        throw new src_errors/* UserError */.yo(`${file} holds ${documents.length} YAML documents; expected one`, {
            file,
            line: locationOf(documents[1], []).line
        });
    }
    if (documents.length === 0) {
        const lineCounter = new dist/* LineCounter */.HN();
        const [document] = (0,dist/* parseAllDocuments */.hR)('{}', { lineCounter });
        return { file, document: document, lineCounter };
    }
    return documents[0];
}
/** Plain JavaScript value of a parsed document; aliases are bounded by the bomb check. */
function toPlain(source) {
    return source.document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
}
/**
 * The place of the node at `path`, or of its nearest existing ancestor, for findings and errors.
 * With `at: 'key'`, a map entry is placed at its key: a value written as a block starts on the line
 * after its key, and a finding about the entry itself (an unknown key) belongs on the key's line.
 */
function locationOf(source, path, at = 'value') {
    let node = source.document.contents;
    let found = node;
    let keyNode;
    for (const [index, key] of path.entries()) {
        if (!(0,dist/* isCollection */.P3)(node))
            break;
        const next = node.get(key, true);
        if (next === undefined)
            break;
        if (at === 'key' && index === path.length - 1 && (0,dist/* isMap */.jh)(node)) {
            const pair = node.items.find((item) => ((0,dist/* isScalar */.jn)(item.key) ? item.key.value === key : item.key === key));
            keyNode = (0,dist/* isNode */.Ll)(pair?.key) ? pair.key : undefined;
        }
        node = next;
        found = next;
    }
    const location = locationOfNode(source, (0,dist/* isNode */.Ll)(found) ? found : undefined);
    if (!keyNode?.range)
        return location;
    const start = source.lineCounter.linePos(keyNode.range[0]);
    return { ...location, line: start.line, column: start.col };
}
/** The place of a node, or the top of the file when there is none. */
function locationOfNode(source, node) {
    if (!node?.range)
        return { file: source.file, line: 1 };
    const start = source.lineCounter.linePos(node.range[0]);
    const end = source.lineCounter.linePos(node.range[1]);
    return { file: source.file, line: start.line, column: start.col, endLine: end.line };
}
function rejectAliasBombs(document, file, lineCounter) {
    try {
        document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    }
    catch (error) {
        let firstAlias;
        (0,dist/* visit */.YR)(document, {
            Alias(_key, node) {
                firstAlias = node;
                return dist/* visit */.YR.BREAK;
            }
        });
        const line = firstAlias?.range ? lineCounter.linePos(firstAlias.range[0]).line : undefined;
        throw new src_errors/* UserError */.yo(`${file} expands YAML aliases too far (limit ${MAX_ALIAS_COUNT}); refusing a possible alias bomb: ${error.message}`, { file, line });
    }
}
function describeYamlProblem(code, message) {
    const firstLine = message.split('\n')[0] ?? message;
    if (code === 'DUPLICATE_KEY')
        return 'Duplicate key (map keys must be unique)';
    return `Invalid YAML (${firstLine})`;
}
/**
 * Refuses an alias bomb in a YAML file that another program reads (kustomize would expand it into
 * gigabytes): only aliases are judged here, not syntax or duplicate keys, which that program reports
 * in its own words. Cheap: a text without `*` has no alias and is not parsed.
 */
function checkYamlAliases(text, file) {
    if (!text.includes('*'))
        return;
    const lineCounter = new LineCounter();
    const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false });
    for (const document of Array.isArray(parsed) ? parsed : [parsed]) {
        if (document.errors.length > 0)
            continue;
        rejectAliasBombs(document, file, lineCounter);
    }
}

// EXTERNAL MODULE: ./packages/core/src/tags/release-rules.ts + 7 modules
var release_rules = __webpack_require__(3343);
// EXTERNAL MODULE: ./packages/core/src/tags/version-bump.ts
var version_bump = __webpack_require__(3712);
;// CONCATENATED MODULE: ./packages/core/src/config/versioning.ts




const versioningSchema = {
    type: 'object',
    additionalProperties: false,
    description: "How compute-tag derives the next version from commits (semantic-release's commit-analyzer options).",
    properties: {
        preset: { type: 'string', enum: [...release_rules/* PRESETS */.fG] },
        // Each rule is checked by parseReleaseRules, which names the rule and the field.
        releaseRules: { type: 'array', items: {} }
    }
};
function completeVersioning(input, file, locate) {
    if (!input)
        return version_bump/* DEFAULT_RELEASE_ANALYSIS */.bq;
    const preset = input.preset === undefined ? 'angular' : (0,release_rules/* parsePreset */.Tc)(input.preset, `${file}: versioning.preset`, locate(['preset']));
    const releaseRules = input.releaseRules === undefined
        ? []
        : (0,release_rules/* parseReleaseRules */.o5)(input.releaseRules, `${file}: versioning.releaseRules`, (path) => locate(['releaseRules', ...path]));
    return { preset, releaseRules };
}
/** Release rules written as YAML or JSON in one parameter (an action input, a CLI option). */
function releaseRulesFromText(text, parameter) {
    let value;
    try {
        value = toPlain(parseYamlFile(text, parameter));
    }
    catch (error) {
        throw (0,src_errors/* subjectError */.b6)({ parameter }, `not a YAML or JSON list of rules: ${(0,src_errors/* errorMessage */.gJ)(error).replace(/^[^:]*: /, '')}`);
    }
    return (0,release_rules/* parseReleaseRules */.o5)(value, { parameter });
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./node_modules/ajv/dist/ajv.js
var ajv = __webpack_require__(2463);
// EXTERNAL MODULE: ./packages/core/src/repo-paths.ts
var repo_paths = __webpack_require__(2172);
// EXTERNAL MODULE: ./node_modules/re2js/build/index.js
var build = __webpack_require__(2856);
;// CONCATENATED MODULE: ./packages/core/src/tags/tag-pattern.ts

/**
 * Tag patterns from gitops.yaml (`allowedTags`) run on RE2JS, a linear-time engine: a pattern in
 * a pull request such as `^(a+)+$` would take JavaScript's backtracking RegExp minutes on a
 * 31-character tag. RE2 has no lookaround or back-references; a pattern using them is refused at
 * its gitops.yaml line (tagPatternProblem).
 */
const compiled = new Map();
function compile(pattern) {
    let regex = compiled.get(pattern);
    if (!regex)
        compiled.set(pattern, (regex = build/* RE2JS */.L3.compile(pattern)));
    return regex;
}
/** Why a pattern cannot be used (RE2 syntax), or undefined when it can. */
function tagPatternProblem(pattern) {
    try {
        compile(pattern);
        return undefined;
    }
    catch (error) {
        return `${error.message} (tag patterns run on RE2, a linear-time engine without lookaround or back-references)`;
    }
}
/** Whether the pattern matches somewhere in the tag (as RegExp.test does; anchor with ^ and $). */
function tagMatches(pattern, tag) {
    return compile(pattern).matcher(tag).find();
}

;// CONCATENATED MODULE: ./packages/core/src/config/durations.ts
/** Units of a gitops.yaml duration (`90m`, `24h`, `1d12h`), in milliseconds. */
const UNITS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** The schema pattern of a duration: one or more `<number><unit>`, units s, m, h, d. */
const DURATION_PATTERN = '^([0-9]+[smhd])+$';
/** Milliseconds of a duration such as `24h` or `1d12h`; undefined when it is not one. */
function parseDuration(text) {
    if (!new RegExp(DURATION_PATTERN).test(text))
        return undefined;
    let total = 0;
    for (const [, amount, unit] of text.matchAll(/([0-9]+)([smhd])/g))
        total += Number(amount) * UNITS[unit];
    return total;
}
/** A duration for people, largest units first: `1d 2h`, `45m`, `30s` (at most two units). */
function formatDuration(ms) {
    if (ms < 1000)
        return '0s';
    const parts = [];
    let rest = Math.floor(ms / 1000) * 1000;
    for (const [unit, size] of Object.entries(UNITS).reverse()) {
        if (rest < size)
            continue;
        parts.push(`${Math.floor(rest / size)}${unit}`);
        rest %= size;
    }
    return parts.slice(0, 2).join(' ');
}

;// CONCATENATED MODULE: ./packages/core/src/config/kubernetes.ts
// A YAML number (`1.30` reads as 1.3) is accepted by the schema only to be refused with a clear
// message by kubernetesVersionProblem(): the schema's "must be string" would not say why.
const VERSION_VALUE = { type: ['string', 'number'] };
const kubernetesSchema = {
    type: 'object',
    additionalProperties: false,
    description: 'The Kubernetes version the clusters run (checks judge removed APIs against it).',
    properties: { version: VERSION_VALUE }
};
/** The schema of `environments[].kubernetesVersion`. */
const environmentKubernetesVersionSchema = VERSION_VALUE;
const VERSION = /^v?1\.(0|[1-9][0-9]{0,2})(?:\.(0|[1-9][0-9]*))?$/;
/** Why a gitops.yaml Kubernetes version is not one, or undefined when it is; `written` is the value's text in the file. */
function kubernetesVersionProblem(value, written = String(value)) {
    if (typeof value === 'number') {
        return `${written} is a YAML number (${value}): write the version quoted, "${written}"`;
    }
    if (typeof value !== 'string' || !VERSION.test(value.trim())) {
        return `'${String(value)}' is not a Kubernetes version: write the cluster's minor release, e.g. "1.29" (v1.29 and 1.29.4 are accepted too)`;
    }
    return undefined;
}
/** `1.29`, `v1.29`, `1.29.4` → `v1.29`; undefined for anything else (see kubernetesVersionProblem). */
function normalizeKubernetesVersion(value) {
    if (typeof value !== 'string')
        return undefined;
    const match = VERSION.exec(value.trim());
    return match ? `v1.${match[1]}` : undefined;
}
/** The minor number of a `v1.29` version (also of the `removedIn` releases of the removed-API table). */
function kubernetesMinor(version) {
    const match = /^v?1\.([0-9]+)/.exec(version);
    if (!match)
        throw new Error(`not a Kubernetes version: ${version}`);
    return Number(match[1]);
}
function completeKubernetes(input) {
    return { version: normalizeKubernetesVersion(input?.version) };
}
/**
 * The Kubernetes version of the cluster an environment deploys to: its own `kubernetesVersion`,
 * else gitops.yaml's `kubernetes.version`; undefined when neither is set. Objects outside any
 * environment (cluster-wide Flux roots) take `kubernetes.version`.
 */
function clusterVersion(config, environment) {
    const file = config.file ?? 'gitops.yaml';
    const own = environment === undefined ? undefined : config.environments.find((e) => e.name === environment);
    if (own?.kubernetesVersion) {
        return {
            version: own.kubernetesVersion,
            minor: kubernetesMinor(own.kubernetesVersion),
            setBy: `${file} environments[${own.name}].kubernetesVersion`
        };
    }
    const version = config.kubernetes.version;
    return version === undefined ? undefined : { version, minor: kubernetesMinor(version), setBy: `${file} kubernetes.version` };
}

;// CONCATENATED MODULE: ./packages/core/src/config/environments.ts


/** Flux names a status `<kind>/<name>/<provider uid prefix>`; the seed's Kustomizations are `<app>-<env>`. */
const DEFAULT_VERIFICATION_CONTEXTS = ['kustomization/{app}-{env}/*'];
const SHA = '[0-9a-f]{7,40}';
/**
 * SemVer 2.0 as semver.org's grammar has it: no leading zeros in the version or in numeric
 * pre-release identifiers, no empty identifier (`1.2.3-.`), `-` a letter (`1.2.3--` is valid).
 * No build metadata: `+` is not allowed in an image tag.
 */
const NUMBER = '(?:0|[1-9][0-9]*)';
const PRERELEASE_ID = `(?:${NUMBER}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const SEMVER_TAG_PATTERN = `${NUMBER}\\.${NUMBER}\\.${NUMBER}(?:-${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*)?`;
const SEMVER = SEMVER_TAG_PATTERN;
const MUTABLE_TAGS = ['latest', 'main', 'master', 'stable', 'edge', 'dev', 'staging', 'prod', 'production'];
/** The seed's three environments. Prod runs only `v<semver>` (or `<app>-v<semver>`) tags. */
const DEFAULT_ENVIRONMENTS = [
    {
        name: 'dev',
        namespace: 'app-dev',
        tagTemplate: 'sha-{sha}',
        allowedTags: [`^sha-${SHA}$`, `^{app}-${SHA}-[0-9]{8}-[0-9]{6}$`],
        forbiddenTags: MUTABLE_TAGS,
        autoMerge: true,
        verification: defaultVerification(false)
    },
    {
        name: 'staging',
        namespace: 'app-staging',
        tagTemplate: '{app}-staging-{sha}',
        allowedTags: [`^{app}-staging-${SHA}$`, `^sha-${SHA}$`, `^staging-${SHA}$`],
        forbiddenTags: MUTABLE_TAGS,
        autoMerge: false,
        verification: defaultVerification(true)
    },
    {
        name: 'prod',
        namespace: 'app-prod',
        tagTemplate: 'v{version}',
        allowedTags: [`^v${SEMVER}$`, `^{app}-v${SEMVER}$`],
        forbiddenTags: MUTABLE_TAGS,
        autoMerge: false,
        verification: defaultVerification(false)
    }
];
function defaultVerification(required) {
    return { required, contexts: [...DEFAULT_VERIFICATION_CONTEXTS], minSoak: undefined, minSoakMs: 0 };
}
const environmentsSchema = {
    type: 'array',
    minItems: 1,
    description: 'The environments in promotion order (first is where auto-deploys land).',
    items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
            name: {
                type: 'string',
                pattern: '^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$',
                description: 'a name of lowercase letters, digits and hyphens (at most 32, e.g. staging)'
            },
            namespace: { type: 'string', nullable: true, minLength: 1 },
            tagTemplate: { type: 'string', nullable: true, minLength: 1 },
            allowedTags: { type: 'array', nullable: true, items: { type: 'string', minLength: 1 } },
            forbiddenTags: { type: 'array', nullable: true, items: { type: 'string', minLength: 1 } },
            autoMerge: { type: 'boolean', nullable: true },
            kubernetesVersion: { ...environmentKubernetesVersionSchema, nullable: true },
            verification: {
                type: 'object',
                nullable: true,
                additionalProperties: false,
                description: "Flux's health evidence (commit statuses) a promotion out of this environment needs.",
                properties: {
                    required: { type: 'boolean', nullable: true },
                    contexts: { type: 'array', nullable: true, minItems: 1, items: { type: 'string', minLength: 1 } },
                    minSoak: { type: 'string', nullable: true }
                }
            }
        }
    }
};
/**
 * Fills the environments from the seed's defaults for the same name, or generic ones. Verification
 * is on by default for the environment before the last: what reaches production ran healthy first.
 */
function completeEnvironments(inputs) {
    return inputs.map((input, index) => completeEnvironment(input, index === inputs.length - 2));
}
/** Fills an environment from the seed's defaults for the same name, or generic ones. */
function completeEnvironment(input, sourceOfLast = false) {
    const seed = DEFAULT_ENVIRONMENTS.find((e) => e.name === input.name);
    return {
        name: input.name,
        namespace: input.namespace ?? seed?.namespace ?? `app-${input.name}`,
        tagTemplate: input.tagTemplate ?? seed?.tagTemplate ?? `{app}-${input.name}-{sha}`,
        allowedTags: input.allowedTags ?? seed?.allowedTags ?? ['^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$'],
        forbiddenTags: input.forbiddenTags ?? seed?.forbiddenTags ?? MUTABLE_TAGS,
        autoMerge: input.autoMerge ?? seed?.autoMerge ?? false,
        verification: {
            required: input.verification?.required ?? sourceOfLast,
            contexts: input.verification?.contexts ?? [...DEFAULT_VERIFICATION_CONTEXTS],
            minSoak: input.verification?.minSoak,
            minSoakMs: input.verification?.minSoak ? (parseDuration(input.verification.minSoak) ?? 0) : 0
        },
        ...(input.kubernetesVersion !== undefined ? { kubernetesVersion: normalizeKubernetesVersion(input.kubernetesVersion) } : {})
    };
}

// EXTERNAL MODULE: ./packages/core/src/names.ts
var names = __webpack_require__(8129);
;// CONCATENATED MODULE: ./packages/core/src/config/config-schema-errors.ts



/**
 * gitops.yaml's schema errors in our words, at file:line: the key path as YAML reads it
 * (`environments[0].name`), the value found, what was expected (a pattern's `description` from the
 * schema, never the regular expression), and "did you mean" for an unknown key or value.
 */
function configSchemaError(source, errors) {
    const error = mostSpecific(errors);
    const path = error.instancePath
        .split('/')
        .slice(1)
        .map((part) => (/^\d+$/.test(part) ? Number(part) : part.replace(/~1/g, '/').replace(/~0/g, '~')));
    const where = path.length === 0 ? 'gitops.yaml' : configKeyPath(path);
    const params = error.params;
    const schema = (error.parentSchema ?? {});
    const value = error.data;
    switch (error.keyword) {
        case 'additionalProperties': {
            const extra = String(params.additionalProperty);
            const allowed = Object.keys(schema.properties ?? {});
            return new src_errors/* UserError */.yo(`${where}: unknown key '${extra}'${(0,names/* didYouMean */.au)(extra, allowed)}; valid keys: ${allowed.join(', ')}`, locationOf(source, [...path, extra], 'key'));
        }
        case 'enum': {
            const allowed = params.allowedValues.map(String);
            return new src_errors/* UserError */.yo(`${where}: ${shown(value)} is not one of ${allowed.join(', ')}${typeof value === 'string' ? (0,names/* didYouMean */.au)(value, allowed) : ''}`, locationOf(source, path));
        }
        case 'pattern': {
            // A key checked by propertyNames: the error names the key, and the key is where to look.
            const key = error.propertyName;
            const expected = schema.description ?? 'of the form this setting takes';
            if (key !== undefined)
                return new src_errors/* UserError */.yo(`${where}: the key '${key}' is not ${expected}`, locationOf(source, [...path, key], 'key'));
            return new src_errors/* UserError */.yo(`${where}: ${shown(value)} is not ${expected}`, locationOf(source, path));
        }
        case 'type':
            return new src_errors/* UserError */.yo(`${where}: expected ${typeNames(params.type)}, found ${shown(value)}`, locationOf(source, path));
        case 'required':
            return new src_errors/* UserError */.yo(`${where}: '${String(params.missingProperty)}' is required`, locationOf(source, path));
        case 'minItems':
            return new src_errors/* UserError */.yo(`${where}: needs at least ${plural(Number(params.limit), 'entry', 'entries')}`, locationOf(source, path));
        case 'maxItems':
            return new src_errors/* UserError */.yo(`${where}: takes at most ${plural(Number(params.limit), 'entry', 'entries')}`, locationOf(source, path));
        case 'minLength':
            return new src_errors/* UserError */.yo(`${where}: ${Number(params.limit) === 1 ? 'must not be empty' : `needs at least ${params.limit} characters`}`, locationOf(source, path));
        case 'maxLength':
            return new src_errors/* UserError */.yo(`${where}: is longer than ${params.limit} characters`, locationOf(source, path));
        case 'minimum':
        case 'maximum':
        case 'exclusiveMinimum':
        case 'exclusiveMaximum':
            return new src_errors/* UserError */.yo(`${where}: ${shown(value)} is ${COMPARISON[error.keyword]} ${String(params.limit)}`, locationOf(source, path));
        default:
            return new src_errors/* UserError */.yo(`${where}: ${shown(value)} is not valid here${schema.description ? ` (expected ${schema.description})` : ''}`, locationOf(source, path));
    }
}
const COMPARISON = {
    minimum: 'below the minimum',
    maximum: 'above the maximum',
    exclusiveMinimum: 'not above',
    exclusiveMaximum: 'not below'
};
/** Wrappers (propertyNames, anyOf, if) say less than the error inside them; the deepest path says most. */
function mostSpecific(errors) {
    const wrappers = new Set(['propertyNames', 'anyOf', 'oneOf', 'allOf', 'if', 'not']);
    const inner = errors.filter((e) => !wrappers.has(e.keyword));
    return [...(inner.length > 0 ? inner : errors)].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
}
/** `environments[0].name`, `drift.expected["apps/v1"]`: a gitops.yaml key path as a reader finds it in the file. */
function configKeyPath(path) {
    return path
        .map((part, i) => typeof part === 'number' ? `[${part}]` : /^[A-Za-z_][\w-]*$/.test(part) ? `${i === 0 ? '' : '.'}${part}` : `[${JSON.stringify(part)}]`)
        .join('');
}
function typeNames(type) {
    const names = {
        string: 'a string',
        number: 'a number',
        integer: 'a whole number',
        boolean: 'true or false',
        array: 'a list',
        object: 'a mapping (key: value)',
        null: 'nothing'
    };
    const types = String(type)
        .split(',')
        .map((t) => names[t] ?? t);
    return types.length > 1 ? `${types.slice(0, -1).join(', ')} or ${types.at(-1)}` : types.join('');
}
/** A value as the message quotes it: scalars as written, collections by kind. */
function shown(value) {
    if (value === null || value === undefined)
        return 'nothing';
    if (Array.isArray(value))
        return 'a list';
    if (typeof value === 'object')
        return 'a mapping';
    if (typeof value === 'string')
        return `'${value.length > 80 ? `${value.slice(0, 79)}…` : value}'`;
    return String(value);
}
function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many}`;
}

;// CONCATENATED MODULE: ./packages/core/src/config/drift.ts
/**
 * Replicas, autoscaling bounds and config values differ between environments by design, and so
 * does the version label, which moves with the image tag.
 */
const DEFAULT_DRIFT = {
    expected: {
        '*': ['metadata.labels[app.kubernetes.io/version]', 'spec.template.metadata.labels[app.kubernetes.io/version]'],
        Deployment: ['spec.replicas'],
        StatefulSet: ['spec.replicas'],
        HorizontalPodAutoscaler: ['spec.minReplicas', 'spec.maxReplicas'],
        ConfigMap: ['data.*']
    }
};
/** One key (`replicas`) or a bracketed one (`[app.kubernetes.io/name]`, `[myapp]`, `[*]`). */
const SEGMENT = '(?:[^.\\[\\]\\s]+|\\[[^\\[\\]]+\\])';
const DRIFT_PATH_PATTERN = `^${SEGMENT}(?:\\.[^.\\[\\]\\s]+|\\[[^\\[\\]]+\\])*$`;
const driftSchema = {
    type: 'object',
    additionalProperties: false,
    description: 'Expected differences between neighbouring environments, left out of drift reports.',
    properties: {
        expected: {
            type: 'object',
            nullable: true,
            required: [],
            propertyNames: { pattern: '^(\\*|[A-Za-z][A-Za-z0-9]*)$', description: 'a kind (e.g. Deployment) or *' },
            additionalProperties: {
                type: 'array',
                items: { type: 'string', pattern: DRIFT_PATH_PATTERN, description: 'a field path such as spec.replicas or metadata.labels[app]' }
            }
        }
    }
};
/** The drift section with its default: a user's `drift.expected` replaces the default list whole. */
function completeDrift(input) {
    return { expected: input?.expected ?? structuredClone(DEFAULT_DRIFT.expected) };
}
/** Splits a drift path into its keys: `a.b[c.d][*]` → ['a', 'b', 'c.d', '*']. */
function driftPathKeys(path) {
    return [...path.matchAll(/\[([^\]]+)\]|([^.[\]]+)/g)].map((m) => (m[1] ?? m[2]));
}

;// CONCATENATED MODULE: ./packages/core/src/config/layout.ts
const DEFAULT_LAYOUT = {
    overlay: 'apps/{app}/overlays/{env}',
    base: 'apps/{app}/base'
};
const layoutSchema = {
    type: 'object',
    additionalProperties: false,
    properties: {
        // {app} is optional: a repository with one overlay per environment (`clusters/{env}`) has no app level.
        overlay: {
            type: 'string',
            nullable: true,
            pattern: '\\{env\\}',
            minLength: 1,
            description: 'a path with {env} in it (e.g. apps/{app}/overlays/{env})'
        },
        base: { type: 'string', nullable: true, minLength: 1 }
    }
};
/** The overlay directory of an app in an environment, relative to the repo root. */
function overlayPath(layout, app, environment) {
    return layout.overlay.replaceAll('{app}', app).replaceAll('{env}', environment);
}
/** The base directory of an app, relative to the repo root. */
function basePath(layout, app) {
    return layout.base.replaceAll('{app}', app);
}

;// CONCATENATED MODULE: ./packages/core/src/config/protection.ts
/** The seed's required status checks for each kind of repository. */
const SEED_APP_CHECKS = ['build-test-pipeline', 'security-scan', 'code-quality-check', 'docker-build-push'];
const SEED_CONFIG_CHECKS = ['kustomize-validate', 'security-policy-check', 'quota-validation', 'flux-sync-validation'];
const common = { branch: 'main', requiredApprovals: 1, dismissStaleReviews: true, requireUpToDate: true, blockForcePush: true, bypass: [] };
/** The seed: app repos need review and checks; config repos also need CODEOWNERS approval. */
const DEFAULT_PROTECTION = {
    app: { ...common, codeOwnerReview: false, requiredChecks: SEED_APP_CHECKS },
    config: { ...common, codeOwnerReview: true, requiredChecks: SEED_CONFIG_CHECKS }
};
const bypassSchema = {
    oneOf: [
        { type: 'object', additionalProperties: false, required: ['team'], properties: { team: { type: 'string', minLength: 1 } } },
        { type: 'object', additionalProperties: false, required: ['app'], properties: { app: { type: 'integer', minimum: 1 } } },
        {
            type: 'object',
            additionalProperties: false,
            required: ['role'],
            properties: { role: { type: 'string', enum: ['admin', 'maintain', 'write'] } }
        },
        {
            type: 'object',
            additionalProperties: false,
            required: ['organizationAdmins'],
            properties: { organizationAdmins: { type: 'boolean', const: true } }
        }
    ]
};
const rulesSchema = {
    type: 'object',
    additionalProperties: false,
    nullable: true,
    properties: {
        branch: { type: 'string', minLength: 1, nullable: true },
        requiredApprovals: { type: 'integer', minimum: 0, maximum: 10, nullable: true },
        codeOwnerReview: { type: 'boolean', nullable: true },
        dismissStaleReviews: { type: 'boolean', nullable: true },
        requireUpToDate: { type: 'boolean', nullable: true },
        requiredChecks: { type: 'array', items: { type: 'string', minLength: 1 }, nullable: true },
        blockForcePush: { type: 'boolean', nullable: true },
        bypass: { type: 'array', items: bypassSchema, nullable: true }
    }
};
const protectionSchema = {
    type: 'object',
    additionalProperties: false,
    properties: { app: rulesSchema, config: rulesSchema }
};
/** The protection section with the seed's defaults under the user's keys. */
function completeProtection(input) {
    return {
        app: { ...DEFAULT_PROTECTION.app, ...input?.app },
        config: { ...DEFAULT_PROTECTION.config, ...input?.config }
    };
}

;// CONCATENATED MODULE: ./packages/core/src/config/codeowners.ts
/** The seed's production rule: prod overlays need platform, senior platform engineers and app team leads. */
const DEFAULT_CODEOWNERS = {
    protectedPaths: [{ pattern: 'apps/*/overlays/prod/', owners: ['@platform-team', '@senior-platform-engineers', '@app-team-leads'] }],
    protectSelf: true
};
/** `@user`, `@org/team` or an email address: what a CODEOWNERS line accepts as an owner. */
const OWNER_SYNTAX = '^(?:@[A-Za-z0-9][A-Za-z0-9_-]*(?:/[A-Za-z0-9][A-Za-z0-9_.-]*)?|[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,})$';
const codeownersSchema = {
    type: 'object',
    additionalProperties: false,
    properties: {
        protectedPaths: {
            type: 'array',
            nullable: true,
            items: {
                type: 'object',
                additionalProperties: false,
                required: ['pattern', 'owners'],
                properties: {
                    // GitHub refuses negation, character ranges and a leading `\#`; so do we.
                    pattern: {
                        type: 'string',
                        minLength: 1,
                        pattern: '^[^!#\\s\\\\\\[\\]][^\\s\\[\\]]*$',
                        description: 'a CODEOWNERS pattern GitHub supports (no spaces, no leading !, # or \\\\, no [ ] ranges)'
                    },
                    owners: {
                        type: 'array',
                        minItems: 1,
                        items: { type: 'string', pattern: OWNER_SYNTAX, description: 'an owner: @user, @org/team or an email address' }
                    }
                }
            }
        },
        protectSelf: { type: 'boolean', nullable: true }
    }
};
/** The codeowners section with the seed's defaults for absent keys. */
function completeCodeowners(input) {
    return {
        protectedPaths: (input?.protectedPaths ?? DEFAULT_CODEOWNERS.protectedPaths).map((p) => ({
            pattern: p.pattern,
            owners: [...p.owners]
        })),
        protectSelf: input?.protectSelf ?? DEFAULT_CODEOWNERS.protectSelf
    };
}

;// CONCATENATED MODULE: ./packages/core/src/config/policy.ts

/** The seed's expectation: policy violations block staging and prod, and warn in dev. */
const DEFAULT_POLICY = { severity: 'error', environments: { dev: 'warning' }, rules: {}, custom: [], expressions: [] };
const severity = { type: 'string', enum: ['error', 'warning', 'notice', 'off'] };
const RULE_ID = '^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$';
const RULE_ID_TEXT = 'a rule id of lowercase letters, digits and hyphens (e.g. host-port)';
const policySchema = {
    type: 'object',
    additionalProperties: false,
    properties: {
        severity,
        environments: { type: 'object', additionalProperties: severity },
        rules: {
            type: 'object',
            propertyNames: { pattern: RULE_ID, description: RULE_ID_TEXT },
            additionalProperties: {
                type: 'object',
                additionalProperties: false,
                properties: {
                    enabled: { type: 'boolean' },
                    severity,
                    environments: { type: 'object', additionalProperties: severity }
                }
            }
        },
        custom: {
            type: 'array',
            items: {
                type: 'object',
                additionalProperties: false,
                required: ['id', 'validations'],
                properties: {
                    id: { type: 'string', pattern: RULE_ID, description: RULE_ID_TEXT },
                    kinds: { type: 'array', items: { type: 'string', minLength: 1 } },
                    matchConditions: {
                        type: 'array',
                        items: {
                            type: 'object',
                            additionalProperties: false,
                            required: ['name', 'expression'],
                            properties: { name: { type: 'string', minLength: 1 }, expression: { type: 'string', minLength: 1 } }
                        }
                    },
                    validations: {
                        type: 'array',
                        minItems: 1,
                        items: {
                            type: 'object',
                            additionalProperties: false,
                            required: ['expression'],
                            properties: {
                                expression: { type: 'string', minLength: 1 },
                                message: { type: 'string' },
                                messageExpression: { type: 'string' },
                                reason: { type: 'string' }
                            }
                        }
                    }
                }
            }
        }
    }
};
/**
 * The policy section with the seed's defaults for absent keys; listed environments override the
 * defaults one by one. `locate` places an expression, given its path in the policy section.
 */
function completePolicy(input, locate = () => undefined) {
    return {
        severity: input?.severity ?? DEFAULT_POLICY.severity,
        environments: { ...DEFAULT_POLICY.environments, ...input?.environments },
        rules: { ...input?.rules },
        custom: (input?.custom ?? []).map((rule) => ({ ...rule })),
        expressions: customExpressions(input).map(({ path, expression }) => ({
            path: configKeyPath(['policy', ...path]),
            expression,
            location: locate(path)
        }))
    };
}
/** The CEL expressions of the custom rules, with their paths in the policy section. */
function customExpressions(input) {
    const expressions = [];
    const add = (expression, path) => {
        if (expression !== undefined)
            expressions.push({ path, expression });
    };
    input?.custom?.forEach((rule, i) => {
        rule.matchConditions?.forEach((condition, j) => add(condition.expression, ['custom', i, 'matchConditions', j, 'expression']));
        rule.validations.forEach((validation, j) => {
            add(validation.expression, ['custom', i, 'validations', j, 'expression']);
            add(validation.messageExpression, ['custom', i, 'validations', j, 'messageExpression']);
        });
    });
    return expressions;
}

;// CONCATENATED MODULE: ./packages/core/src/config/deployment-windows.ts
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const HOURS_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$';
const deploymentWindowsSchema = {
    type: 'array',
    description: 'Deployment windows: outside them a promotion PR stays pending (commit status deployment-window).',
    items: {
        type: 'object',
        additionalProperties: false,
        required: ['environments'],
        properties: {
            environments: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
            timeZone: { type: 'string', nullable: true, minLength: 1 },
            days: { type: 'array', nullable: true, minItems: 1, items: { type: 'string', enum: [...WEEKDAYS] } },
            hours: {
                type: 'string',
                nullable: true,
                pattern: HOURS_PATTERN,
                description: 'a range of 24-hour times, HH:MM-HH:MM (e.g. 09:00-17:00)'
            }
        }
    }
};
/** Fills the defaults: UTC, every day, all day. */
function completeDeploymentWindow(input) {
    return {
        environments: input.environments,
        timeZone: input.timeZone ?? 'UTC',
        days: input.days ?? [...WEEKDAYS],
        hours: input.hours ?? '00:00-24:00'
    };
}
/** Whether a time zone name is one this runtime knows (Intl's IANA database). */
function isKnownTimeZone(name) {
    try {
        new Intl.DateTimeFormat('en-US', { timeZone: name });
        return true;
    }
    catch {
        return false;
    }
}

;// CONCATENATED MODULE: ./packages/core/src/workloads/quantity.ts
/**
 * Kubernetes resource quantities, parsed exactly. The grammar (k8s.io/apimachinery resource.Quantity):
 *
 *   quantity  ::= sign? number suffix
 *   number    ::= digits | digits '.' digits? | '.' digits
 *   suffix    ::= binarySI | decimalSI | ('e' | 'E') sign? digits
 *   binarySI  ::= Ki | Mi | Gi | Ti | Pi | Ei
 *   decimalSI ::= n | u | m | '' | k | M | G | T | P | E
 *
 * Values are held as bigint counts of nano-units (10^-9), so sums of `100m` and `0.1` or of `1.5Gi`
 * and `512Mi` are exact; like Kubernetes, anything finer than a nano-unit is rounded up.
 * No maintained npm library parses this grammar exactly (the Kubernetes client's helper returns
 * floating-point numbers), hence this module.
 */
const NANO = (/* unused pure expression or super */ null && (10n ** 9n));
const BINARY = { Ki: 2n ** 10n, Mi: 2n ** 20n, Gi: 2n ** 30n, Ti: 2n ** 40n, Pi: 2n ** 50n, Ei: 2n ** 60n };
const DECIMAL = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const GRAMMAR = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;
/** Why a value is not a Kubernetes quantity, or undefined when it is one. */
function quantityProblem(value) {
    if (typeof value === 'number')
        return Number.isFinite(value) ? undefined : `${value} is not a quantity`;
    if (typeof value !== 'string')
        return `expected a quantity such as 500m or 1Gi, found ${JSON.stringify(value)}`;
    if (!GRAMMAR.test(value)) {
        return `'${value}' is not a Kubernetes quantity (a number with an optional suffix: m, k, M, G, T, Ki, Mi, Gi, Ti, or an exponent such as 1e3)`;
    }
    const exponent = /[eE]([+-]?\d+)$/.exec(value);
    if (exponent && Math.abs(Number(exponent[1])) > 30)
        return `'${value}': the exponent is out of range`;
    return undefined;
}
/** Parses a quantity (a string, or a number as YAML gives `cpu: 1`) into nano-units. Throws on anything else. */
function parseQuantity(value) {
    const problem = quantityProblem(value);
    if (problem)
        throw new RangeError(problem);
    const text = typeof value === 'number' ? numberText(value) : value;
    const [, sign, number, suffix = ''] = GRAMMAR.exec(text);
    const [whole = '', fraction = ''] = number.split('.');
    // mantissa × 10^-fraction.length, scaled by the suffix, in nano-units, rounded up.
    let numerator = BigInt((whole || '0') + fraction) * NANO;
    let denominator = 10n ** BigInt(fraction.length);
    if (suffix in BINARY) {
        numerator *= BINARY[suffix];
    }
    else {
        const exponent = suffix in DECIMAL ? DECIMAL[suffix] : Number(suffix.slice(1));
        if (exponent >= 0)
            numerator *= 10n ** BigInt(exponent);
        else
            denominator *= 10n ** BigInt(-exponent);
    }
    const nanos = (numerator + denominator - 1n) / denominator;
    return sign === '-' ? -nanos : nanos;
}
function numberText(value) {
    // YAML numbers such as 0.5 or 1e3; toString gives e-notation (`1e+21`) for large values, which the grammar accepts.
    return String(value);
}
const RESOURCE_NAMES = (/* unused pure expression or super */ null && (['cpu', 'memory', 'ephemeral-storage']));
/**
 * A quantity in nano-units, written the way people read it: CPU in cores or millicores (`2`, `1500m`),
 * memory and storage in the largest binary unit that divides it (`3Gi`, `1536Mi`), else decimal.
 */
function formatQuantity(nanos, resource) {
    const sign = nanos < 0n ? '-' : '';
    const abs = nanos < 0n ? -nanos : nanos;
    if (resource === 'cpu') {
        if (abs % NANO === 0n)
            return `${sign}${abs / NANO}`;
        const milli = NANO / 1000n;
        if (abs % milli === 0n)
            return `${sign}${abs / milli}m`;
        return `${sign}${abs}n`;
    }
    if (abs % NANO === 0n) {
        const units = abs / NANO;
        if (units === 0n)
            return '0';
        for (const suffix of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
            if (units % BINARY[suffix] === 0n)
                return `${sign}${units / BINARY[suffix]}${suffix}`;
        }
        return `${sign}${units}`;
    }
    const milli = NANO / 1000n;
    if (abs % milli === 0n)
        return `${sign}${abs / milli}m`;
    return `${sign}${abs}n`;
}

;// CONCATENATED MODULE: ./packages/core/src/config/quota.ts

/** The seed sets no budgets: ResourceQuota objects in the repo are the limits. */
const DEFAULT_QUOTA = { environments: {}, namespaces: {}, countSurge: true, nodes: undefined };
const quantity = { type: ['string', 'number'] };
const values = {
    type: 'object',
    additionalProperties: false,
    properties: { cpu: quantity, memory: quantity, 'ephemeral-storage': quantity }
};
const budget = {
    type: 'object',
    additionalProperties: false,
    properties: { requests: values, limits: values, pods: { type: 'integer', minimum: 0 } }
};
const quotaSchema = {
    type: 'object',
    additionalProperties: false,
    properties: {
        environments: { type: 'object', additionalProperties: budget },
        namespaces: { type: 'object', additionalProperties: budget },
        countSurge: { type: 'boolean' },
        nodes: { type: 'integer', minimum: 1 }
    }
};
/** The quota section with the defaults for absent keys. */
function completeQuota(input) {
    return {
        environments: { ...input?.environments },
        namespaces: { ...input?.namespaces },
        countSurge: input?.countSurge ?? DEFAULT_QUOTA.countSurge,
        nodes: input?.nodes ?? DEFAULT_QUOTA.nodes
    };
}
/** Budget values that are not Kubernetes quantities, with their path in gitops.yaml. */
function quotaProblems(input) {
    const problems = [];
    for (const scope of ['environments', 'namespaces']) {
        for (const [name, entry] of Object.entries(input?.[scope] ?? {})) {
            for (const which of ['requests', 'limits']) {
                for (const [resource, value] of Object.entries(entry[which] ?? {})) {
                    const problem = quantityProblem(value);
                    if (problem)
                        problems.push({ path: [scope, name, which, resource], message: problem });
                }
            }
        }
    }
    return problems;
}

;// CONCATENATED MODULE: ./packages/core/src/config/schemas.ts



const PATHS = { type: 'array', items: { type: 'string', minLength: 1 } };
const schemasSchema = {
    type: 'object',
    additionalProperties: false,
    description: 'Schemas of custom resources beyond the packaged ones: CRD files and JSON schema directories in the repository.',
    properties: { crds: PATHS, jsonSchemas: PATHS }
};
/** The schemas section with repo paths checked (no absolute path, nothing out of the repository), each mistake at its line. */
function completeSchemas(input, locate = () => undefined, file = 'gitops.yaml') {
    const sources = (key) => (input?.[key] ?? []).map((path, index) => {
        const location = locate(['schemas', key, index]);
        try {
            return { path: (0,repo_paths/* normalizeRepoPath */.NP)(path, `${file}: schemas.${key}[${index}]`), location };
        }
        catch (error) {
            if (error instanceof src_errors/* UserError */.yo)
                throw new src_errors/* UserError */.yo(error.message, location);
            throw error;
        }
    });
    return { crds: sources('crds'), jsonSchemas: sources('jsonSchemas') };
}
/** Whether a repo path matches a `schemas.crds` entry: the path itself, or a glob (`*` within a directory, `**` across them, `?`). */
function matchesSchemaPath(pattern, path) {
    if (!/[*?]/.test(pattern))
        return path === pattern || path.startsWith(`${pattern}/`);
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
        const char = pattern[i];
        if (char === '*' && pattern[i + 1] === '*') {
            const slash = pattern[i + 2] === '/';
            source += slash ? '(?:.*/)?' : '.*';
            i += slash ? 2 : 1;
        }
        else if (char === '*')
            source += '[^/]*';
        else if (char === '?')
            source += '[^/]';
        else
            source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return new RegExp(`^${source}$`).test(posix.normalize(path));
}

;// CONCATENATED MODULE: ./packages/core/src/config/kustomize.ts
/** A host name, or `*.` and a domain for its subdomains; no scheme, port or path. */
const REMOTE_HOST_PATTERN = '^(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$';
const kustomizeSchema = {
    type: 'object',
    additionalProperties: false,
    description: 'What kustomize builds may fetch: remote resources are refused unless their host is listed.',
    properties: {
        remoteResources: {
            type: 'array',
            items: { type: 'string', pattern: REMOTE_HOST_PATTERN, description: 'a host name such as github.com or *.example.com' }
        }
    }
};
function completeKustomize(input) {
    return { remoteResources: (input?.remoteResources ?? []).map((host) => host.toLowerCase()) };
}

;// CONCATENATED MODULE: ./packages/core/src/config/gitops-config.ts






















const GITOPS_CONFIG_FILES = ['gitops.yaml', 'gitops.yml'];
const sections = {
    environments: environmentsSchema,
    layout: layoutSchema,
    protection: protectionSchema,
    codeowners: codeownersSchema,
    drift: driftSchema,
    policy: policySchema,
    deploymentWindows: deploymentWindowsSchema,
    quota: quotaSchema,
    kubernetes: kubernetesSchema,
    versioning: versioningSchema,
    schemas: schemasSchema,
    kustomize: kustomizeSchema
};
/** The JSON schema of gitops.yaml (also published for editors as gitops.schema.json). */
const gitopsConfigSchema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'gitops-actions config (gitops.yaml)',
    type: 'object',
    additionalProperties: false,
    properties: { version: { type: 'integer', enum: [1] }, ...sections }
};
// Compiled on first use: a run without gitops.yaml (the defaults) never pays for it.
let compiledSchema;
const configValidator = () => (compiledSchema ??= new ajv.Ajv({ allErrors: true, strict: false, verbose: true }).compile(gitopsConfigSchema));
/** The configuration when the repo has no gitops.yaml: the seed's. */
function defaultGitopsConfig() {
    return {
        file: undefined,
        environments: DEFAULT_ENVIRONMENTS.map((e) => ({ ...e })),
        layout: { ...DEFAULT_LAYOUT },
        protection: completeProtection(undefined),
        codeowners: completeCodeowners(undefined),
        drift: completeDrift(undefined),
        policy: completePolicy(undefined),
        deploymentWindows: [],
        quota: completeQuota(undefined),
        kubernetes: completeKubernetes(undefined),
        versioning: completeVersioning(undefined, 'gitops.yaml', () => undefined),
        schemas: completeSchemas(undefined),
        kustomize: completeKustomize(undefined)
    };
}
/** Reads and checks gitops.yaml (or gitops.yml) at a repo root; the defaults when neither exists. */
function loadGitopsConfig(repoRoot) {
    for (const name of GITOPS_CONFIG_FILES) {
        const path = (0,external_node_path_.join)(repoRoot, name);
        if (!(0,external_node_fs_.existsSync)(path))
            continue;
        // A gitops.yaml symlinked to a file outside the checkout would put that file's values in the outputs.
        (0,repo_paths/* resolveInRepo */.c7)(repoRoot, name, name);
        return parseGitopsConfig((0,external_node_fs_.readFileSync)(path, 'utf8'), name);
    }
    return defaultGitopsConfig();
}
/** Parses gitops.yaml text; every mistake is a UserError at file:line. */
function parseGitopsConfig(text, file = 'gitops.yaml') {
    const source = parseYamlFile(text, file);
    const raw = toPlain(source) ?? {};
    const validate = configValidator();
    if (!validate(raw))
        throw configSchemaError(source, validate.errors ?? []);
    const data = raw;
    const [quotaProblem] = quotaProblems(data.quota);
    if (quotaProblem) {
        throw new src_errors/* UserError */.yo(`quota.${quotaProblem.path.join('.')}: ${quotaProblem.message}`, locationOf(source, ['quota', ...quotaProblem.path]));
    }
    const versionProblem = (value, path, name) => {
        const node = source.document.getIn(path, true);
        const problem = value === undefined ? undefined : kubernetesVersionProblem(value, node?.range ? text.slice(node.range[0], node.range[1]) : undefined);
        if (problem)
            throw new src_errors/* UserError */.yo(`${name}: ${problem}`, locationOf(source, path));
    };
    versionProblem(data.kubernetes?.version, ['kubernetes', 'version'], 'kubernetes.version');
    data.environments?.forEach((environment, index) => versionProblem(environment.kubernetesVersion, ['environments', index, 'kubernetesVersion'], `environments[${environment.name}].kubernetesVersion`));
    data.environments?.forEach((environment, index) => {
        const minSoak = environment.verification?.minSoak;
        if (minSoak !== undefined && parseDuration(minSoak) === undefined) {
            throw new src_errors/* UserError */.yo(`environments[${index}].verification.minSoak: '${minSoak}' is not a duration: write it as 30m, 24h or 1d12h (units s, m, h, d)`, locationOf(source, ['environments', index, 'verification', 'minSoak']));
        }
    });
    for (const key of ['overlay', 'base']) {
        const template = data.layout?.[key];
        if (template === undefined)
            continue;
        try {
            (0,repo_paths/* normalizeRepoPath */.NP)(template, `layout.${key}`);
        }
        catch (error) {
            throw new src_errors/* UserError */.yo(error.message, locationOf(source, ['layout', key]));
        }
    }
    const environments = completeEnvironments(data.environments ?? DEFAULT_ENVIRONMENTS);
    const seen = new Set();
    environments.forEach((environment, index) => {
        if (seen.has(environment.name)) {
            throw new src_errors/* UserError */.yo(`environments[${index}]: environment '${environment.name}' is listed twice`, locationOf(source, ['environments', index, 'name']));
        }
        seen.add(environment.name);
        for (const [key, list] of [['allowedTags', environment.allowedTags], ['forbiddenTags', environment.forbiddenTags]]) {
            list.forEach((pattern, i) => {
                if (key === 'forbiddenTags')
                    return;
                const problem = tagPatternProblem(pattern.replaceAll('{app}', 'app'));
                if (problem) {
                    throw new src_errors/* UserError */.yo(`environments[${index}].${key}[${i}]: '${pattern}' is not a valid regular expression: ${problem}`, locationOf(source, ['environments', index, key, i]));
                }
            });
        }
    });
    const deploymentWindows = (data.deploymentWindows ?? []).map(completeDeploymentWindow);
    deploymentWindows.forEach((window, index) => {
        if (!isKnownTimeZone(window.timeZone)) {
            throw new src_errors/* UserError */.yo(`deploymentWindows[${index}].timeZone: '${window.timeZone}' is not a known IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)`, locationOf(source, ['deploymentWindows', index, 'timeZone']));
        }
        window.environments.forEach((name, i) => {
            if (!seen.has(name)) {
                throw new src_errors/* UserError */.yo(`deploymentWindows[${index}].environments[${i}]: no environment '${name}'${(0,names/* didYouMean */.au)(name, seen)}; environments: ${[...seen].join(', ')}`, locationOf(source, ['deploymentWindows', index, 'environments', i]));
            }
        });
    });
    return {
        file,
        environments,
        layout: { ...DEFAULT_LAYOUT, ...data.layout },
        protection: completeProtection(data.protection),
        codeowners: completeCodeowners(data.codeowners),
        drift: completeDrift(data.drift),
        policy: completePolicy(data.policy, (path) => locationOf(source, ['policy', ...path])),
        deploymentWindows,
        quota: completeQuota(data.quota),
        kubernetes: completeKubernetes(data.kubernetes),
        versioning: completeVersioning(data.versioning, file, (path) => locationOf(source, ['versioning', ...path])),
        schemas: completeSchemas(data.schemas, (path) => locationOf(source, path), file),
        kustomize: completeKustomize(data.kustomize)
    };
}
/** Finds an environment by name, or a UserError listing the known ones. */
function environmentByName(config, name, input = 'environment') {
    const environment = config.environments.find((e) => e.name === name);
    if (!environment) {
        throw parameterError(input, `unknown environment '${name}'. Environments in ${config.file ?? 'the default configuration'}: ${config.environments.map((e) => e.name).join(', ')}`);
    }
    return environment;
}

;// CONCATENATED MODULE: ./packages/operations/src/versioning-settings.ts

/**
 * How compute-tag decides versions: the caller's preset and release rules (given as YAML or JSON
 * text) over the checkout's gitops.yaml `versioning` section. Loaded on demand (a chunk of the
 * bundle): gitops.yaml's loader and the YAML parser cost start-up time that a dev tag never needs.
 */
function releaseAnalysisOf(cwd, preset, releaseRulesText) {
    const releaseRules = releaseRulesText === undefined ? undefined : releaseRulesFromText(releaseRulesText, 'release-rules');
    const configured = preset !== undefined && releaseRules !== undefined ? undefined : loadGitopsConfig(cwd).versioning;
    return { preset: preset ?? configured.preset, releaseRules: releaseRules ?? configured.releaseRules };
}


/***/ })

};
