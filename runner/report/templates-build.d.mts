import type Handlebars from 'handlebars';

export declare function templateOptions(): { noEscape: boolean; strict: boolean };
export declare const GLOSSARY_SOURCE: string;
export declare function readTemplates(dir: string): Promise<{ main: string; partials: [name: string, text: string][] }>;
export declare function precompiledModule(dir: string, handlebars: typeof Handlebars): Promise<string>;
