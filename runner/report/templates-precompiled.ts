/**
 * The report's templates precompiled, in the prebuilt command only: the build (runner/launch.mjs)
 * replaces this module with runner/report/templates-build.mjs's `precompiledModule`. Run from the
 * sources (tests, tsx), there is none and the report compiles the templates itself.
 */

export interface PrecompiledTemplates {
  main: TemplateSpecification;
  glossary: TemplateSpecification;
  partials: Record<string, TemplateSpecification>;
}

export const PRECOMPILED: PrecompiledTemplates | null = null;
