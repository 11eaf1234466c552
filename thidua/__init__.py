"""The portal's own libraries that are not Pelican plugins: Vietnamese text, the gazetteer, the
importer, publishing releases, memo files, forked calls, the clock, HTML sanitising, the
article scaffold and the preview server. Plugins, tasks and tests import them by name."""
