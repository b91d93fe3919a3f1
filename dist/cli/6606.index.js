export const id = 6606;
export const ids = [6606];
export const modules = {

/***/ 76606:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   releaseAnalysisOf: () => (/* binding */ releaseAnalysisOf)
/* harmony export */ });
/* harmony import */ var _gitops_actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(10986);
/* harmony import */ var _gitops_actions_core__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(56046);

/**
 * How compute-tag decides versions: the caller's preset and release rules (given as YAML or JSON
 * text) over the checkout's gitops.yaml `versioning` section. Loaded on demand (a chunk of the
 * bundle): gitops.yaml's loader and the YAML parser cost start-up time that a dev tag never needs.
 */
function releaseAnalysisOf(cwd, preset, releaseRulesText) {
    const releaseRules = releaseRulesText === undefined ? undefined : (0,_gitops_actions_core__WEBPACK_IMPORTED_MODULE_0__/* .releaseRulesFromText */ .G9)(releaseRulesText, 'release-rules');
    const configured = preset !== undefined && releaseRules !== undefined ? undefined : (0,_gitops_actions_core__WEBPACK_IMPORTED_MODULE_1__/* .loadGitopsConfig */ .PG)(cwd).versioning;
    return { preset: preset ?? configured.preset, releaseRules: releaseRules ?? configured.releaseRules };
}


/***/ })

};
