import { Component, CUSTOM_ELEMENTS_SCHEMA, signal } from '@angular/core';
import type { NavtalkStatus } from 'navtalk-avatar';

@Component({
  selector: 'app-root',
  // Lets the template use <navtalk-avatar>: Angular then sets [bindings] as properties and listens to (events).
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    @if (shown()) {
      <navtalk-avatar endpoint="/api/navtalk" character="navtalk.Leo" voice="echo" trigger="load" [text]="text()"
        (navtalk-status)="status.set($event.detail.status)" (navtalk-ready)="video.set($event.detail.resultUrl)"></navtalk-avatar>
    }
    <form (submit)="say($event, draft.value)">
      <label>Text <input #draft [value]="text()" /></label>
      <button>Say it</button>
    </form>
    <button (click)="shown.set(false)">Remove avatar</button>
    <p>Status: <output data-testid="status">{{ status() }}</output></p>
    <p>Video: <output data-testid="ready">{{ video() }}</output></p>
  `,
})
export class AppComponent {
  // `text` changes only on submit: every change is a new (paid) generation.
  readonly text = signal('Hello from Angular!');
  readonly status = signal<NavtalkStatus>('idle');
  readonly video = signal('–');
  readonly shown = signal(true);

  say(event: SubmitEvent, draft: string): void {
    event.preventDefault();
    this.text.set(draft);
  }
}
