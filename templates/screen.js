// Screen HTML only (inlined by publish.screen_script): the contents sidebar and in-page search.
"use strict";
