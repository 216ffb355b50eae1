"""The language: every text the kiosk shows or says, by phrase id, in en/es/fr (gettext catalogs).

Lives here: phrases, and the catalogs in locale/LANG/LC_MESSAGES/kiosk.po (source) and .mo (loaded).
May import: the standard library only; everything else may import it.
"""
